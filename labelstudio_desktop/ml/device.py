"""The device a run trains on, in words: ``GPU 0: NVIDIA H200``, ``2 GPUs: NVIDIA H200, NVIDIA H200`` under a
``MirroredStrategy``, or ``CPU (8 cores)`` when TensorFlow sees no GPU (``tensorflow-cpu``, the default install on
x86-64, never does; ``pip install '.[gpu]'`` / ``make run GPU=1`` installs the CUDA build). Kept in the run's params
(``device``), reported to the job once at the start, shown by the Training dock and printed by ``train``."""

from __future__ import annotations

import os


def cpu_cores() -> int:
    """The cores this process may run on (a container's or taskset's limit, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def describe(gpus: list[tuple[str, str]], replicas: int = 1, cores: int | None = None) -> str:
    """``gpus``: (index, name) of the GPUs TensorFlow sees; ``replicas``: the strategy's replicas on this machine
    (a default strategy trains on the first GPU alone)."""
    if not gpus:
        return f"CPU ({cores or cpu_cores()} cores)"
    used = gpus[:max(1, min(replicas, len(gpus)))]
    if len(used) == 1:
        return f"GPU {used[0][0]}: {used[0][1]}"
    return f"{len(used)} GPUs: " + ", ".join(name for _index, name in used)


def gpu_names() -> list[tuple[str, str]]:
    """(index, name) of the GPUs TensorFlow sees; the name is the CUDA device's (``NVIDIA H200``) when known."""
    import tensorflow as tf

    out = []
    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            name = tf.config.experimental.get_device_details(gpu).get("device_name") or gpu.name
        except (ValueError, RuntimeError):
            name = gpu.name
        out.append((gpu.name.rsplit(":", 1)[-1], name))
    return out


def training_device(strategy=None) -> str:
    """The device a run trains on under ``strategy`` (None: the default strategy)."""
    try:  # the default strategy has no worker devices (it trains on the first GPU)
        devices = strategy.extended.worker_devices if strategy is not None else ()
    except (AttributeError, RuntimeError, NotImplementedError):
        devices = ()
    replicas = sum("GPU" in d.upper() for d in devices) or 1
    return describe(gpu_names(), replicas)
