# mutant-efault-skip-meta: only the metadata reservation of the unsubmitted part of a part-way-failed DIO write never released (M4).
# Module: /lab/mutants/btrfs-efault-skip-meta.ko (lab/mutants/build-modules.sh); workload and passes in mutant-common.inc.
MUTANT=efault-skip-meta
. $LAB/scenarios/mutant-common.inc
