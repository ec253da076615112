# Sourced by the scripts that run libtorch. A CPU that reports no cache sizes (Linux lists none, as
# in some virtual machines) makes libtorch's oneDNN compute wrong convolutions or crash unless it is
# limited to AVX (io.denseserve.plan.OneDnnCaches; README, "CPUs that hide their caches"). A limit
# already in the environment is kept.
if [ -z "${ONEDNN_MAX_CPU_ISA:-}" ] && [ -d /sys/devices/system/cpu/cpu0 ] \
    && [ ! -e /sys/devices/system/cpu/cpu0/cache/index0 ]; then
  export ONEDNN_MAX_CPU_ISA=AVX
fi
