# mutant-efault-skip-release: data+metadata reservation of the unsubmitted part of a DIO write that fails part-way (EFAULT/short) never released (M3).
# Module: /lab/mutants/btrfs-efault-skip-release.ko (lab/mutants/build-modules.sh); workload and passes in mutant-common.inc.
MUTANT=efault-skip-release
. $LAB/scenarios/mutant-common.inc
