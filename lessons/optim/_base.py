"""What every from-scratch optimizer shares: torch's checks, the step loop, lazy state."""

import functools
import inspect

import torch
from torch import Tensor
from torch.optim import Optimizer


def require(ok, message: str) -> None:
    """Raise torch's ValueError when a constructor argument fails its check."""
    if not ok:
        raise ValueError(message)


def check_lr(lr) -> None:
    require(not isinstance(lr, Tensor) or lr.numel() == 1, "Tensor lr must be 1-element")
    require(0.0 <= lr, f"Invalid learning rate: {lr}")


def check_betas(betas) -> None:
    for index in range(2):  # betas[index], as torch: a shorter tuple raises IndexError here
        require(
            0.0 <= betas[index] < 1.0, f"Invalid beta parameter at index {index}: {betas[index]}"
        )


def check_adam_family(lr, betas, eps, weight_decay) -> None:
    """The checks Adam, AdamW, Adamax, NAdam and RAdam share, in torch's order."""
    check_lr(lr)
    require(0.0 <= eps, f"Invalid epsilon value: {eps}")
    check_betas(betas)
    require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")


def check_fast_paths(foreach, fused) -> None:
    if foreach and fused:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def advance_steps(steps: list[Tensor]) -> None:
    """t ← t + 1 for a group's step counters. On the CPU, as torch, the 1 is a tensor: the list
    then takes a faster kernel than for a Python number (wrapped once per counter)."""
    if steps and steps[0].is_cpu:
        torch._foreach_add_(steps, torch.tensor(1.0, device="cpu"), alpha=1.0)
    else:
        torch._foreach_add_(steps, 1)


@functools.cache
def keyword_names(update) -> tuple[str, ...]:
    """The hyperparameters an update function takes: its keyword-only arguments."""
    parameters = inspect.signature(update).parameters.values()
    return tuple(p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY)


def chunks(count: int, most: int = 32):
    """Slices of a list in power-of-two lengths up to `most`: few distinct lengths to compile."""
    start = 0
    while start < count:
        length = min(most, 1 << (count - start).bit_length() - 1)
        yield slice(start, start + length)
        start += length


@functools.cache
def compiled(kernel):
    """torch.compile of `kernel` applied to each parameter of a chunk: one graph, each tensor
    read once. The chunk comes as lists, one a name (params, grads, then the kernel's state), and
    `scalars`, one row a parameter.

    Sizes are symbolic (dynamic=True), so one compile serves every chunk of the same length and
    pattern of equal sizes; the floats that change between steps come in `scalars`, a tensor, so
    they never recompile. The sizes are guarded before the call, so the kernel does not assert
    them again.
    """

    def chunk_step(lists, scalars, **flags):
        params, grads, *state = lists
        for param, grad, its_scalars, *its_state in zip(
            params, grads, scalars.unbind(), *state, strict=True
        ):
            kernel(param, grad, its_scalars, *its_state, **flags)

    return torch.compile(chunk_step, dynamic=True, options={"size_asserts": False})


@functools.cache
def state_names(kernel) -> tuple[str, ...]:
    """The state a fused kernel takes: its positional arguments after param, grad and scalars."""
    parameters = list(inspect.signature(kernel).parameters.values())[3:]
    return tuple(p.name for p in parameters if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD)


# One graph per chunk length and flags, more than dynamo's default limit of 8 in all; the size
# guards checked in C++, so calling a chunk's graph costs less.
FUSED_CONFIG = torch._dynamo.config.patch(recompile_limit=64, enable_cpp_symbolic_shape_guards=True)


def flat(t: Tensor | None) -> Tensor | None:
    """A 1-D view, so every shape shares one compiled kernel (a copy would lose the writes)."""
    if t is None or t.dim() <= 1 or not t.is_contiguous():
        return t
    return t.view(-1)


def packed_steps(states: list[dict]) -> Tensor:
    """The group's step counters as one 1-D tensor, each state["step"] a view of one element, so
    that the group's t ← t + 1 is one add, not one a parameter. Packed on the group's first fused
    step, and again whenever they are not such views in order (after torch.load or a deepcopy,
    or when the parameters that have a gradient change); the values are kept."""
    steps = [state["step"] for state in states]
    packed = steps[0]._base
    if (
        packed is not None
        and packed.shape == (len(steps),)
        and all(step._base is packed and step.storage_offset() == i for i, step in enumerate(steps))
    ):
        return packed
    packed = torch.stack([step.to(steps[0].device) for step in steps])
    for i, state in enumerate(states):
        state["step"] = packed[i]
    return packed


def next_steps(states: list[dict]) -> Tensor:
    """t, the step each parameter is about to take, in float64, so what depends on t is computed
    once a tensor in `fused_scalars` (in the compiled loop it would be recomputed for every 16
    floats). The counters themselves advance in `step_fused`, once the kernel has run."""
    return packed_steps(states).double() + 1


def scalar_state(value: float) -> Tensor:
    """A 0-dim `step` or `mu_product`: float32, or float64 when that is torch's default dtype."""
    double = torch.get_default_dtype() == torch.float64
    return torch.tensor(value, dtype=torch.float64 if double else torch.float32)


class ScratchOptimizer(Optimizer):
    """torch.optim.Optimizer plus the loop the twins share.

    A subclass names its update function, `update(param, grad, **state, **hyperparameters)`, and
    gives `init_state(p, group)`, the state a parameter gets before its first step (torch's keys).
    The hooks a reader overrides are public: `init_state`, `hyperparameters(group)` (what the
    update is given, read from the group afresh at every step, so schedulers and manual edits
    apply), `param_states(params, group)` (each parameter's state dict, for the paths that take
    the group at once), `check_param(p, group)` (raise if p cannot be stepped; every parameter is
    checked before any tensor changes), `check_sparse_grad(group)` (the part of it for a sparse
    gradient, in an optimizer that takes them; `sparse_error` is the message of one that refuses
    them, None in one that takes them) and `step_param(p, group)` (one parameter's step).

    Two faster paths, chosen per group by torch's `foreach` and `fused` flags, exist where a
    class defines them (without them every group loops): `update_foreach` takes the same
    arguments as `update`, each a list over the group's tensors, and runs torch._foreach_*
    kernels. `update_fused(param, grad, scalars, *state, **flags)` is the update's arithmetic
    for torch.compile: `fused_scalars(states, group)` gives the floats a step may change (lr, a
    bias correction: each a float, or a tensor with one value per parameter), which reach the
    kernel as a 1-D tensor, so a new lr does not recompile, and `fused_tensors(params, states,
    group)` the state tensors the kernel names, a list each; the keyword-only `flags` are read
    from the group (a change recompiles). A step counter, as in torch, is state["step"]: the
    kernel reads what depends on it from `scalars` (`next_steps`), and `step_fused` advances it
    once the kernel has run.
    """

    update = None
    update_foreach = None
    update_fused = None
    sparse_error = "{} does not support sparse gradients"

    def init_state(self, p: Tensor, group: dict) -> dict:
        raise NotImplementedError

    def _state(self, p: Tensor, group: dict) -> dict:
        state = self.state[p]
        if not state:
            state.update(self.init_state(p, group))
        return state

    def hyperparameters(self, group: dict) -> dict:
        return {name: group[name] for name in keyword_names(self.update)}

    def check_param(self, p: Tensor, group: dict) -> None:
        if p.is_complex():
            raise ValueError("complex parameters are not supported; use torch.optim")
        sparse = p.grad.is_sparse
        if sparse and self.sparse_error:
            raise RuntimeError(self.sparse_error.format(type(self).__name__))
        if group.get("fused") and not ((p.is_cpu or p.is_cuda) and p.is_floating_point()):
            raise RuntimeError(
                "`fused=True` requires all the params to be floating point Tensors of supported "
                f"devices: ['cpu', 'cuda'] but {p.dtype} and {p.device.type}"
            )
        if sparse:
            self.check_sparse_grad(group)

    def check_sparse_grad(self, group: dict) -> None:
        """Raise torch's error if this group's settings cannot step a sparse gradient (for an
        optimizer that takes them at all: `sparse_error` None)."""

    def step_param(self, p: Tensor, group: dict) -> None:
        self.update(p, p.grad, **self._state(p, group), **self.hyperparameters(group))

    def step_foreach(self, params: list[Tensor], group: dict) -> None:
        states = self.param_states(params, group)
        lists = {key: [state[key] for state in states] for key in states[0]}
        grads = [p.grad for p in params]
        self.update_foreach(params, grads, **lists, **self.hyperparameters(group))

    def param_states(self, params: list[Tensor], group: dict) -> list[dict]:
        """Each parameter's state dict, made on its first step."""
        return [self._state(p, group) for p in params]

    def fused_scalars(self, states: list[dict], group: dict) -> list[float | Tensor]:
        raise NotImplementedError

    def fused_tensors(self, params: list[Tensor], states: list[dict], group: dict) -> list[list]:
        """The state tensors `update_fused` takes after param, grad and scalars: a list a name."""
        return [[state.get(name) for state in states] for name in state_names(self.update_fused)]

    def step_fused(self, params: list[Tensor], group: dict) -> None:
        states = self.param_states(params, group)
        floats = self.fused_scalars(states, group)
        columns = [torch.as_tensor(c, dtype=torch.float64, device="cpu") for c in floats]
        scalars = torch.stack([c.expand(len(params)) for c in columns], dim=1)  # a row a parameter
        scalars = scalars.to(params[0].device)
        lists = [params, [p.grad for p in params], *self.fused_tensors(params, states, group)]
        if any(p.dim() > 1 for p in params):
            lists = [[flat(t) for t in tensors] for tensors in lists]
        flags = {name: group[name] for name in keyword_names(self.update_fused)}
        kernel = compiled(self.update_fused)
        done = 0
        try:
            with FUSED_CONFIG:
                for part in chunks(len(params)):
                    kernel([tensors[part] for tensors in lists], scalars[part], **flags)
                    done = part.stop
        finally:  # t ← t + 1 for the chunks stepped, in one add; a chunk that failed keeps its t
            if "step" in states[0]:
                packed_steps(states)[:done] += 1

    def path(self, group: dict, params: list[Tensor]) -> str:
        """torch's choice for a group: "fused", "foreach" or the per-tensor "loop"."""
        if not params:
            return "loop"
        if group.get("fused") and self.update_fused is not None:
            return "fused"  # check_param refused sparse gradients, as torch's fused paths do
        if any(p.grad.is_sparse for p in params):
            return "loop"  # sparse gradients take the per-tensor update, as in torch
        foreach = group.get("foreach")
        if foreach is None:  # torch's default: foreach on CUDA, the loop on the CPU
            foreach = all(p.is_cuda for p in params)
        return "foreach" if foreach and self.update_foreach is not None else "loop"

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        todo = [(g, [p for p in g["params"] if p.grad is not None]) for g in self.param_groups]
        for group, params in todo:
            for p in params:
                self.check_param(p, group)
        for group, params in todo:
            path = self.path(group, params)
            if path == "fused":
                self.step_fused(params, group)
            elif path == "foreach":
                self.step_foreach(params, group)
            else:
                for p in params:
                    self.step_param(p, group)
        return loss
