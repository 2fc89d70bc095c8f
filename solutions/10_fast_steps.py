"""Reference answers to notebook 10's exercises (for instructors)."""

prediction = 8 * (4 + 3)  # float64: param, grad, m, v read; param, m, v written


def fused_bytes(state_tensors, itemsize):
    reads = 2 + state_tensors  # param, grad, each state tensor
    writes = 1 + state_tensors  # param, each state tensor (the gradient is never written)
    return itemsize * (reads + writes)


def roofline_ms(bytes_per_param, params, gb_per_s):
    return bytes_per_param * params / (gb_per_s * 1e9) * 1e3  # seconds = bytes / (bytes/s)
