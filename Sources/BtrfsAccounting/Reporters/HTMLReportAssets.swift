/// The HTML report's style sheet and script, inlined into every page (no network).
enum HTMLReportAssets {
    static let style = """
    body { font: 13px/1.4 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fff; }
    header { padding: 8px 16px; border-bottom: 1px solid #ddd; }
    header h1 { font-size: 18px; margin: 0 8px 0 0; display: inline; }
    header p { margin: 2px 0; } .help { color: #666; }
    main { padding: 8px 16px; }
    .fs h2 { font-size: 14px; margin: 12px 0 4px; font-family: monospace; }
    .toolbar button { margin-right: 4px; }
    .toolbar .range { color: #555; margin-left: 8px; font-family: monospace; }
    .leftout { color: #a60; margin-left: 8px; }
    svg.timeline { display: block; width: 100%; border: 1px solid #ccc; background: #fcfcfc; cursor: grab; user-select: none; }
    svg text { font: 10px monospace; fill: #333; }
    .track-label { font-weight: bold; }
    path.balance { fill: none; stroke-width: 1.5; }
    path.balance[data-kind=outstanding_extents] { stroke: #1f77b4; }
    path.balance[data-kind=metadata_reserved] { stroke: #d62728; }
    path.balance[data-kind=data_reserved] { stroke: #2ca02c; }
    path.balance[data-kind=open_ordered_extents] { stroke: #9467bd; }
    rect.io { fill: #8fb8de; stroke: #4a7fb0; stroke-width: .5; } rect.io[data-failed=true] { fill: #f4a3a3; stroke: #c33; }
    line.mark.eviction { stroke: #888; stroke-dasharray: 2 2; } line.mark.unmount { stroke: #000; stroke-width: 2; }
    rect.lost { fill: #f0c040; opacity: .35; }
    .finding-marker path { fill: #c00; stroke: #600; cursor: pointer; } .finding-marker.selected path { fill: #ff0; stroke: #c00; stroke-width: 2; }
    circle.chain-event { fill: #fff; stroke: #c00; stroke-width: 1; opacity: .5; }
    circle.chain-event.highlighted { fill: #ff0; stroke: #c00; stroke-width: 2; opacity: 1; }
    .legend span { margin-right: 12px; } .legend i { display: inline-block; width: 18px; height: 3px; vertical-align: middle; margin-right: 4px; }
    aside { padding: 8px 16px; border-bottom: 1px solid #ddd; }
    .finding-list { columns: 2; margin: 0 0 4px; font-size: 12px; max-height: 14em; overflow-y: auto; } .finding-list .subject { color: #666; }
    section.story { border: 2px solid #c00; padding: 4px 8px; margin: 8px 0; }
    section.story table { border-collapse: collapse; font: 12px monospace; }
    section.story th, section.story td { border: 1px solid #ddd; padding: 2px 6px; vertical-align: top; text-align: left; }
    section.story .num { text-align: right; } section.story tr.conclusion td { font-weight: bold; background: #fee; }
    section.story tr.elided td { color: #888; font-style: italic; } section.story .loc { color: #666; }

    """

    static let script = #"""
    (function () {
      "use strict";
      var data = JSON.parse(document.getElementById("dio-data").textContent);
      var NS = "http://www.w3.org/2000/svg";
      var kinds = ["outstanding_extents", "metadata_reserved", "data_reserved", "open_ordered_extents"];
      var labels = { outstanding_extents: "outstanding extents", metadata_reserved: "metadata reserved",
                     data_reserved: "data reserved", open_ordered_extents: "open ordered extents" };
      var views = [];
      function el(name, attrs, parent) {
        var e = document.createElementNS(NS, name);
        for (var k in attrs) e.setAttribute(k, attrs[k]);
        if (parent) parent.appendChild(e);
        return e;
      }
      function fmtTime(ns) { return ((ns + data.t0) / 1e9).toFixed(6); }
      function bytes(n) {
        var a = Math.abs(n);
        if (a >= 1048576 && a % 1048576 === 0) return n / 1048576 + " MiB";
        if (a >= 1024 && a % 1024 === 0) return n / 1024 + " KiB";
        return n + " B";
      }
      function extent(fs) {
        var lo = Infinity, hi = -Infinity;
        function see(t) { if (t < lo) lo = t; if (t > hi) hi = t; }
        fs.tracks.forEach(function (t) { if (t.t.length) { see(t.t[0]); see(t.t[t.t.length - 1]); } });
        fs.windows.forEach(function (w) { see(w.b); see(w.e); });
        fs.marks.forEach(function (m) { see(m.b); see(m.e); });
        fs.findings.forEach(function (f) { see(f.t); f.chain.forEach(function (c) { if (c.t !== null) see(c.t); }); });
        if (lo === Infinity) { lo = 0; hi = 1; }
        if (hi <= lo) hi = lo + 1;
        var pad = (hi - lo) * 0.02;
        return [lo - pad, hi + pad];
      }
      function build(fs, index) {
        var box = document.createElement("div");
        box.className = "fs"; box.setAttribute("data-fs", fs.id);
        var h = document.createElement("h2"); h.textContent = "filesystem " + fs.id; box.appendChild(h);
        var bar = document.createElement("div"); bar.className = "toolbar";
        [["+", 0.5], ["\u2212", 2], ["reset", 0]].forEach(function (b) {
          var btn = document.createElement("button"); btn.textContent = b[0]; btn.className = "zoom";
          btn.setAttribute("data-zoom", String(b[1]));
          btn.onclick = function () { if (b[1] === 0) reset(view); else zoom(view, b[1], 0.5); };
          bar.appendChild(btn);
        });
        var range = document.createElement("span"); range.className = "range"; bar.appendChild(range);
        var lo = fs.left_out;
        if (lo.tracks || lo.windows || lo.marks || lo.thinned_points) {
          var s = document.createElement("span"); s.className = "leftout";
          s.textContent = "left out to stay bounded: " + lo.tracks + " tracks, " + lo.windows + " I/O windows, " +
            lo.marks + " marks, " + lo.thinned_points + " thinned points (findings' chains are exact)";
          bar.appendChild(s);
        }
        box.appendChild(bar);
        var legend = document.createElement("div"); legend.className = "legend";
        var colors = { outstanding_extents: "#1f77b4", metadata_reserved: "#d62728", data_reserved: "#2ca02c", open_ordered_extents: "#9467bd" };
        kinds.forEach(function (k) { var s = document.createElement("span"); s.innerHTML = '<i style="background:' + colors[k] + '"></i>'; s.appendChild(document.createTextNode(labels[k])); legend.appendChild(s); });
        box.appendChild(legend);
        var tasks = [];
        fs.windows.forEach(function (w) { if (tasks.indexOf(w.task) < 0) tasks.push(w.task); });
        var svg = el("svg", { "class": "timeline", "data-fs": fs.id });
        box.appendChild(svg);
        document.getElementById("timelines").appendChild(box);
        var full = extent(fs);
        var view = { fs: fs, svg: svg, tasks: tasks, range: range, full: full, t: full.slice(), index: index };
        views.push(view);
        attachPanZoom(view);
        draw(view);
      }
      var LEFT = 150, MARKER = 22, TASK_H = 14, TRACK_H = 56;
      function draw(view) {
        var fs = view.fs, svg = view.svg;
        while (svg.firstChild) svg.removeChild(svg.firstChild);
        var width = Math.max(600, svg.getBoundingClientRect().width || 1000);
        var height = MARKER + view.tasks.length * TASK_H + fs.tracks.length * TRACK_H + 20;
        svg.setAttribute("viewBox", "0 0 " + width + " " + height);
        svg.setAttribute("height", String(height));
        var t0 = view.t[0], t1 = view.t[1], plot = width - LEFT - 10;
        function x(t) { return LEFT + (t - t0) / (t1 - t0) * plot; }
        var clip = el("clipPath", { id: "clip-" + view.index }, el("defs", {}, svg));
        el("rect", { x: LEFT, y: 0, width: plot, height: height }, clip);
        var body = el("g", { "clip-path": "url(#clip-" + view.index + ")" }, svg);
        view.range.textContent = fmtTime(t0) + " \u2013 " + fmtTime(t1) + " s";
        fs.marks.forEach(function (m) {
          if (m.e < t0 || m.b > t1) return;
          if (m.kind === "lost-events") {
            var r = el("rect", { "class": "lost", x: x(m.b), y: 0, width: Math.max(2, x(m.e) - x(m.b)), height: height }, body);
            el("title", {}, r).textContent = m.text + " (" + m.line + ")";
          } else {
            var l = el("line", { "class": "mark " + m.kind, "data-inode": m.inode === null ? "" : m.inode, x1: x(m.b), x2: x(m.b), y1: MARKER, y2: height }, body);
            el("title", {}, l).textContent = m.text + " (" + m.line + ")";
          }
        });
        view.tasks.forEach(function (task, i) {
          var y = MARKER + i * TASK_H;
          el("text", { x: 4, y: y + 10 }, svg).textContent = task;
        });
        fs.windows.forEach(function (w) {
          if (w.e < t0 || w.b > t1) return;
          var y = MARKER + view.tasks.indexOf(w.task) * TASK_H + 2;
          var r = el("rect", { "class": "io", "data-task": w.task, "data-failed": String(w.failed), x: x(w.b), y: y,
                               width: Math.max(1.5, x(w.e) - x(w.b)), height: TASK_H - 4 }, body);
          el("title", {}, r).textContent = w.task + ": " + w.label + " (" + w.line + ")";
        });
        fs.tracks.forEach(function (track, i) {
          var top = MARKER + view.tasks.length * TASK_H + i * TRACK_H;
          var g = el("g", { "class": "track", "data-inode": track.inode, "data-root": track.root }, svg);
          el("line", { x1: LEFT, x2: width - 10, y1: top + TRACK_H - 2, y2: top + TRACK_H - 2, stroke: "#ddd" }, g);
          el("text", { "class": "track-label", x: 4, y: top + 14 }, g).textContent = "inode " + track.inode + (track.finding ? " \u25c6" : "");
          var last = track.t.length - 1;
          el("text", { x: 4, y: top + 28 }, g).textContent = "meta " + bytes(track.v.metadata_reserved[last]) + " ext " + track.v.outstanding_extents[last];
          var lines = el("g", { "clip-path": "url(#clip-" + view.index + ")" }, g);
          kinds.forEach(function (k) {
            var vals = track.v[k], max = 0;
            vals.forEach(function (v) { if (Math.abs(v) > max) max = Math.abs(v); });
            if (max === 0) return;  // a balance that never moved is not drawn
            var d = "";
            for (var j = 0; j < vals.length; j++) {
              var px = x(track.t[j]).toFixed(1), py = (top + TRACK_H - 4 - (vals[j] / max) * (TRACK_H - 10)).toFixed(1);
              d += j === 0 ? "M" + px + "," + py : "H" + px + "V" + py;
            }
            if (vals.length) d += "H" + (width - 10);
            var p = el("path", { "class": "balance", "data-kind": k, d: d }, lines);
            el("title", {}, p).textContent = "inode " + track.inode + " " + labels[k] + " (max " + (k.indexOf("reserved") >= 0 ? bytes(max) : max) + ")";
          });
        });
        fs.findings.forEach(function (f) {
          var g = el("g", { "class": "finding-marker" + (selected === f.n ? " selected" : ""), "data-finding": f.n, "data-rule": f.rule }, svg);
          var fx = Math.min(Math.max(x(f.t), LEFT), width - 10);
          el("path", { d: "M" + fx + ",4 l6,7 l-6,7 l-6,-7 z" }, g);
          el("title", {}, g).textContent = "#" + f.n + " " + f.rule + " " + f.name + ": " + f.message;
          g.addEventListener("click", function (ev) { ev.stopPropagation(); select(f.n); });
          var ti = fs.tracks.findIndex(function (t) { return t.inode === f.inode; });
          f.chain.forEach(function (c, k) {
            if (c.t === null) return;
            var ti2 = view.tasks.indexOf(c.task);
            var cy = ti >= 0 ? MARKER + view.tasks.length * TASK_H + ti * TRACK_H + TRACK_H / 2 : MARKER + (ti2 >= 0 ? ti2 : 0) * TASK_H + TASK_H / 2;
            var cls = "chain-event" + (selected === f.n ? " highlighted" : "");
            var circle = el("circle", { "class": cls, "data-finding": f.n, "data-index": k, cx: x(c.t), cy: cy, r: 4 }, body);
            el("title", {}, circle).textContent = "#" + f.n + " " + c.task + ": " + c.text + " (" + c.line + ")";
          });
        });
      }
      var selected = null;
      function select(n) {
        selected = n;
        views.forEach(draw);
        document.querySelectorAll("section.story").forEach(function (s) {
          var open = s.getAttribute("data-finding") === String(n);
          s.hidden = !open;
          s.classList.toggle("open", open);
        });
      }
      function zoom(view, factor, at) {
        var t0 = view.t[0], t1 = view.t[1], c = t0 + (t1 - t0) * at, span = (t1 - t0) * factor;
        span = Math.max(span, 1000);
        span = Math.min(span, view.full[1] - view.full[0]);
        view.t = [c - span * at, c + span * (1 - at)];
        clampView(view);
        draw(view);
      }
      function clampView(view) {
        var span = view.t[1] - view.t[0];
        if (view.t[0] < view.full[0]) view.t = [view.full[0], view.full[0] + span];
        if (view.t[1] > view.full[1]) view.t = [view.full[1] - span, view.full[1]];
      }
      function reset(view) { view.t = view.full.slice(); draw(view); }
      function attachPanZoom(view) {
        var svg = view.svg, drag = null;
        function frac(ev) {
          var r = svg.getBoundingClientRect(), scale = r.width / Math.max(600, r.width);
          return Math.min(1, Math.max(0, (ev.clientX - r.left - LEFT * scale) / (r.width - (LEFT + 10) * scale)));
        }
        svg.addEventListener("wheel", function (ev) { ev.preventDefault(); zoom(view, ev.deltaY < 0 ? 0.8 : 1.25, frac(ev)); }, { passive: false });
        svg.addEventListener("mousedown", function (ev) { drag = { x: ev.clientX, t: view.t.slice() }; svg.style.cursor = "grabbing"; });
        window.addEventListener("mouseup", function () { drag = null; svg.style.cursor = ""; });
        window.addEventListener("mousemove", function (ev) {
          if (!drag) return;
          var r = svg.getBoundingClientRect(), dt = (ev.clientX - drag.x) / Math.max(1, r.width - LEFT - 10) * (drag.t[1] - drag.t[0]);
          view.t = [drag.t[0] - dt, drag.t[1] - dt];
          clampView(view);
          draw(view);
        });
      }
      data.filesystems.forEach(build);
      document.querySelectorAll("a.finding-link").forEach(function (a) {
        a.addEventListener("click", function (ev) { ev.preventDefault(); select(Number(a.getAttribute("data-finding"))); });
      });
      window.addEventListener("resize", function () { views.forEach(draw); });
      window.dioTrace = { select: select, views: views, zoom: zoom };
    })();

    """#
}
