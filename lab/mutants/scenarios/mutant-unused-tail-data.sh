# mutant-unused-tail-data: data reservation of a COW DIO write's unused tail (beyond the extent map) never freed in btrfs_dio_iomap_begin (M5).
# Module: /lab/mutants/btrfs-unused-tail-data.ko (lab/mutants/build-modules.sh); workload and passes in mutant-common.inc.
MUTANT=unused-tail-data
. $LAB/scenarios/mutant-common.inc
