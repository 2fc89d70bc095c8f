"""Run a function on N processes joined by torch.distributed (gloo, 127.0.0.1), and collect results.

`launch(fn, world_size, *args)` starts `world_size` fresh Python processes, joins them into one
process group through a TCP store that this process serves on a free port of 127.0.0.1, runs
`fn(*args)` in each (`torch.distributed.get_rank()` tells a rank which it is) and returns the
results in rank order: how the code would run across machines, on one CPU.

The first rank to raise makes the call raise at once, with that rank's traceback; the other
ranks, possibly blocked in a collective waiting for the one that failed, are killed, not waited
on. Success, failure, a timeout and KeyboardInterrupt all leave no process behind.

What the ranks print (Python or C++) is collected and printed here after the run, rank by rank,
so a notebook shows it in a fixed order.
"""

import datetime
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import torch
import torch.distributed as dist

# A rank is `python -c RANK_MAIN rank_file.pkl`: it reads its job, writes its result beside it.
RANK_MAIN = "import sys; from lessons.distributed.launcher import rank_main; rank_main(sys.argv[1])"


class RankFailed(RuntimeError):
    """A rank raised: `rank` says which, `traceback` is its traceback as text."""

    def __init__(self, rank: int, traceback: str):
        super().__init__(f"rank {rank} failed:\n{traceback}")
        self.rank, self.traceback = rank, traceback


def _exit_with_parent(parent: int) -> None:
    """An orphaned rank would wait in a collective for half an hour: leave when the parent does."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def rank_main(job_file: str) -> None:
    """The body of one rank's process: join the group, run the function, write what happened."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the launcher, which stops us
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    with open(job_file, "rb") as job:
        fn, args, rank, world_size, port, threads, timeout = pickle.load(job)
    torch.set_num_threads(threads)
    try:
        store = dist.TCPStore("127.0.0.1", port, is_master=False, timeout=timeout)
        dist.init_process_group("gloo", store=store, rank=rank, world_size=world_size)
        try:
            message = ("ok", fn(*args))
        finally:
            dist.destroy_process_group()
    except BaseException:
        message = ("error", traceback.format_exc())
    with open(job_file + ".part", "wb") as result:
        pickle.dump(message, result)
    os.replace(job_file + ".part", job_file + ".result")  # appears whole, or not at all


def _check_importable(fn) -> None:
    if fn.__module__ == "__main__" or "<" in fn.__qualname__:
        raise ValueError(
            f"fn must be importable by a fresh process, got {fn.__qualname__} from module "
            f"{fn.__module__!r}: define it in a module (as lessons.distributed does), "
            "not in a notebook cell, a lambda or another function"
        )


def launch(fn, world_size: int, *args, timeout: float = 120.0, threads: int = 1) -> list:
    """`[fn(*args) on rank 0, ..., on rank world_size - 1]`, each rank in its own process.

    `timeout` (seconds) bounds the whole run and each collective; `threads` is each rank's
    torch.set_num_threads (one each: the ranks share the machine's cores).
    """
    if not isinstance(world_size, int) or world_size < 1:
        raise ValueError(f"world_size must be a positive int, got {world_size!r}")
    _check_importable(fn)
    limit = datetime.timedelta(seconds=timeout)
    store = dist.TCPStore("127.0.0.1", 0, is_master=True, wait_for_workers=False, timeout=limit)
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, sys.path))}
    processes = []
    with tempfile.TemporaryDirectory(prefix="stepwise-ranks-") as folder:
        jobs = [os.path.join(folder, f"rank{rank}.pkl") for rank in range(world_size)]
        logs = [os.path.join(folder, f"rank{rank}.log") for rank in range(world_size)]
        for rank, job in enumerate(jobs):
            with open(job, "wb") as file:
                pickle.dump((fn, args, rank, world_size, store.port, threads, limit), file)
        try:
            for job, log in zip(jobs, logs, strict=True):
                with open(log, "wb") as output:
                    command = [sys.executable, "-c", RANK_MAIN, job]
                    processes.append(
                        subprocess.Popen(
                            command, stdout=output, stderr=subprocess.STDOUT, env=environment
                        )
                    )
            return _collect(processes, jobs, time.monotonic() + timeout)
        finally:
            for process in processes:
                process.kill()  # a rank that has written its result has nothing left to do
            for process in processes:
                process.wait()
            _echo(logs)


def _collect(processes, jobs, deadline) -> list:
    """Each rank's result; the first error, a rank's death or the deadline ends the wait."""
    results, pending = [None] * len(jobs), set(range(len(jobs)))
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"ranks {sorted(pending)} did not finish in time")
        for rank in sorted(pending):
            exited = processes[rank].poll() is not None  # before looking: a result comes first
            if os.path.exists(jobs[rank] + ".result"):
                with open(jobs[rank] + ".result", "rb") as file:
                    status, value = pickle.load(file)
                if status == "error":
                    raise RankFailed(rank, value)
                results[rank] = value
                pending.discard(rank)
            elif exited:
                code = processes[rank].returncode
                raise RankFailed(rank, f"the process exited (code {code}) without a result\n")
        time.sleep(0.02)
    return results


def _echo(logs) -> None:
    for rank, path in enumerate(logs):
        if os.path.exists(path):
            with open(path, errors="replace") as log:
                for line in log.read().splitlines():
                    print(f"[rank {rank}] {line}")
