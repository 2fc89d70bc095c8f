"""One JupyterLab server in fresh dirs, started from this interpreter, killed with its kernels.

Serving from `sys.executable` matters: the ipywidgets lab extension lives in this environment, and a
server from another one renders every widget as text.
"""

import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

PR_SET_PDEATHSIG = 1


def _stop_with_parent():
    """Linux: the server gets SIGTERM if pytest dies without running its finalizers (killed by a
    timeout, say), so no server or kernel outlives the test run."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


# windowingMode "none" keeps off-screen cells in the DOM, so waits on them do not hang.
USER_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {
        "windowingMode": "none",
        "autoStartDefaultKernel": True,
    },
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LabServer:
    """A running JupyterLab serving `root`; `api()` talks to its REST API."""

    def __init__(self, base_dir: Path):
        self.root = base_dir / "root"
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = base_dir / "jupyterlab.log"
        env = self._environment(base_dir)
        self.root.mkdir()
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
            "--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
        ]  # fmt: skip
        with open(self.log_path, "wb") as log:
            # Own process group, so the finalizer can signal the server and everything it spawned.
            self.process = subprocess.Popen(
                command,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_stop_with_parent if sys.platform == "linux" else None,
            )

    @staticmethod
    def _environment(base_dir: Path):
        env = dict(os.environ)
        # tests/conftest.py sets MPLBACKEND=Agg; a kernel inheriting it shows no inline figures.
        env.pop("MPLBACKEND", None)
        env.pop("JUPYTER_PATH", None)
        for name in ("CONFIG", "RUNTIME", "DATA"):
            env[f"JUPYTER_{name}_DIR"] = str(base_dir / name.lower())
        env["JUPYTERLAB_WORKSPACES_DIR"] = str(base_dir / "workspaces")
        settings_dir = base_dir / "settings"
        env["JUPYTERLAB_SETTINGS_DIR"] = str(settings_dir)
        for plugin, values in USER_SETTINGS.items():
            path = settings_dir / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        return env

    def log_tail(self, lines=30):
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def api(self, path, method="GET"):
        request = urllib.request.Request(
            f"{self.url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def wait_ready(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited early:\n{self.log_tail()}")
            try:
                self.api("status")
                return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(f"JupyterLab not ready after {timeout} s:\n{self.log_tail()}")

    def stop(self):
        """Shut kernels down, stop the server's process group, then kill any survivor."""
        try:
            spawned = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            spawned = []
        if self.process.poll() is None:
            # Kernels run in their own sessions, out of reach of the group signal: ask first.
            try:
                for kernel in self.api("kernels"):
                    self.api(f"kernels/{kernel['id']}", method="DELETE")
            except OSError:
                pass
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        for process in spawned:
            if process.is_running():
                process.kill()
        psutil.wait_procs(spawned, timeout=5)
