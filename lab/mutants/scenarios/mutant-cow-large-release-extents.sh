# mutant-cow-large-release-extents: btrfs_delalloc_release_extents skipped on the COW DIO write path for ranges >= 512 KiB (outstanding extent leak, M6).
# Module: /lab/mutants/btrfs-cow-large-release-extents.ko (lab/mutants/build-modules.sh); workload and passes in mutant-common.inc.
MUTANT=cow-large-release-extents
. $LAB/scenarios/mutant-common.inc
