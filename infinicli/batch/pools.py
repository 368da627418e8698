"""Worker pools for `infini batch`: each worker loads the model once and runs one document at a time.

Pool.run is the scheduler both pools share: documents go to idle workers; a worker that dies has its
document queued again (once: a document that kills two workers is recorded as an error) and is
replaced. Only the driver writes the index, so no document is recorded twice.

    LocalPool  worker processes on this machine, JSON lines over their pipes (python -m infinicli.batch.worker)
    RayPool    Ray actors on a running cluster (--ray auto|ADDRESS) or a local Ray instance (--ray local)
"""

from __future__ import annotations

import collections
import json
import os
import selectors
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from infinicli.errors import InfiniError
from infinicli.resources import FREE_SHARE, cores, free_bytes

WORKER_MB = 1500  # RAM a worker is planned with: the default model's workers peaked at 1,280-1,350 MB
# (samples/bench/batch), and the engine's state does not grow with the document
TRIES = 2  # a document is given to at most this many workers that die under it
STARTUP_DEATHS = 3  # workers that die before they are ready (a crash while loading): give up after this many


def check_shape(workers: int, threads: int, available: int, where: str) -> None:
    if workers < 1 or threads < 1:
        raise InfiniError("--workers and --threads must be at least 1")
    if workers * threads > available:
        raise InfiniError(f"{workers} workers x {threads} threads need {workers * threads} cores; {where} has "
                          f"{available}")


class Pool:
    """The shared scheduler. A subclass starts workers and reports events: ("ready", w, info),
    ("result", w, result), ("died", w, why) or ("fatal", w, sentence)."""

    def __init__(self, settings: dict, workers: int, threads: int) -> None:
        self.settings, self.workers, self.threads = settings, workers, threads
        self.ready: set = set()

    def run(self, jobs: list[dict], on_result: Callable[[dict, dict], None]) -> None:
        """Run every job; on_result(job, result) hears of each, once, as it finishes."""
        queue = collections.deque(jobs)
        tries: collections.Counter[str] = collections.Counter()
        busy: dict = {}  # worker -> job
        idle: list = []
        deaths_at_start = 0
        for _ in range(min(self.workers, len(jobs))):
            self._start()
        while queue or busy:
            while queue and idle:
                worker, job = idle.pop(), queue.popleft()
                busy[worker] = job
                self._submit(worker, job)
            if not self._alive():
                raise InfiniError("no batch worker is left")
            kind, worker, detail = self._next()
            if kind == "fatal":
                raise InfiniError(detail)
            if kind == "ready":
                self.ready.add(worker)
                idle.append(worker)
            elif kind == "result":
                on_result(busy.pop(worker), detail)
                idle.append(worker)
            elif kind == "died":
                job = busy.pop(worker, None)
                if worker in idle:  # it died between documents
                    idle.remove(worker)
                if worker not in self.ready:
                    deaths_at_start += 1
                    if deaths_at_start >= STARTUP_DEATHS:
                        raise InfiniError(f"batch workers die while loading the model ({detail})")
                self.ready.discard(worker)
                if job is not None:
                    tries[job["input"]] += 1
                    if tries[job["input"]] < TRIES:
                        queue.appendleft(job)
                    else:
                        on_result(job, {"status": "error", "error": f"{TRIES} workers died reading it ({detail})"})
                if queue or busy:
                    self._start()

    # what a pool provides
    def _start(self) -> None: ...
    def _submit(self, worker, job: dict) -> None: ...
    def _next(self) -> tuple[str, object, object]: ...
    def _alive(self) -> bool: ...
    def close(self) -> None: ...

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class LocalPool(Pool):
    """Worker processes on this machine; each one's stderr (model loading, warnings) goes to a log."""

    def __init__(self, settings: dict, workers: int, threads: int, log: Path) -> None:
        super().__init__(settings, workers, threads)
        self.log = log
        self.procs: dict[int, subprocess.Popen] = {}
        self.selector = selectors.DefaultSelector()

    def _start(self) -> None:
        env = os.environ | {"OMP_NUM_THREADS": str(self.threads), "MKL_NUM_THREADS": str(self.threads)}
        config = json.dumps({"settings": self.settings, "threads": self.threads})
        with open(self.log, "ab") as log:
            # its own session: Ctrl-C in the terminal reaches the driver, which stops the workers
            proc = subprocess.Popen([sys.executable, "-m", "infinicli.batch.worker", config], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=log, env=env, start_new_session=True)
        self.procs[proc.pid] = proc
        self.selector.register(proc.stdout, selectors.EVENT_READ, proc.pid)

    def _submit(self, worker: int, job: dict) -> None:
        proc = self.procs[worker]
        try:
            proc.stdin.write(json.dumps(job).encode() + b"\n")
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # it died: its stdout reaches EOF and _next reports it

    def _alive(self) -> bool:
        return bool(self.procs)

    def _next(self) -> tuple[str, object, object]:
        while True:
            for key, _ in self.selector.select():
                pid = key.data
                proc = self.procs[pid]
                line = proc.stdout.readline()
                if not line:
                    self.selector.unregister(proc.stdout)
                    del self.procs[pid]
                    code = proc.wait()
                    return "died", pid, f"worker {pid} exited with {code}; see {self.log}"
                try:
                    message = json.loads(line)
                except ValueError:
                    continue  # not a reply (nothing else should write there)
                if "ready" in message:
                    return "ready", pid, message["ready"]
                if "fatal" in message:
                    return "fatal", pid, message["fatal"]
                return "result", pid, message

    def close(self) -> None:
        for proc in self.procs.values():
            proc.kill()
        for proc in self.procs.values():
            proc.wait()
            for pipe in (proc.stdin, proc.stdout):
                pipe.close()
        self.procs.clear()
        self.selector.close()


def make(settings: dict, ray: str | None, workers: int | None, threads: int | None, log: Path) -> tuple[Pool, str]:
    """The pool to run on and how to name it: local processes (by default one single-threaded worker per
    core, as many as 80% of the free memory holds: measured faster than one worker on every core), or Ray
    actors on `ray` (by default one single-threaded worker per CPU of the cluster)."""
    if ray is None:
        fits = int(FREE_SHARE * free_bytes() / (WORKER_MB << 20))
        workers = workers or max(1, min(cores() // (threads or 1), fits))
        threads = threads or max(1, cores() // workers)
        check_shape(workers, threads, cores(), "this machine")
        return LocalPool(settings, workers, threads, log), f"{workers} local workers x {threads} threads"
    cpus = connect(ray)
    threads = threads or (max(1, cpus // workers) if workers else 1)
    workers = workers or max(1, cpus // threads)
    check_shape(workers, threads, cpus, f"the Ray cluster at {ray}")
    return RayPool(settings, workers, threads), f"{workers} Ray workers x {threads} threads ({ray})"


def ray_module():
    try:
        import ray
    except ImportError:
        raise InfiniError("--ray needs Ray: pip install 'infinicli[cluster]'") from None
    return ray


def _check_reachable(address: str, seconds: float = 5.0) -> None:
    """Refuse at once a cluster address nothing answers at (ray.init would retry for minutes)."""
    import socket

    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise InfiniError(f"--ray takes auto, local or HOST:PORT, not {address!r}")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=seconds).close()
    except OSError as exc:
        raise InfiniError(f"no Ray cluster answers at {address} ({exc.strerror or exc})") from None


def connect(address: str) -> int:
    """Join the Ray cluster at `address` ("auto": the one this machine belongs to), or start a local Ray
    instance on this machine's cores ("local"); returns the cluster's CPUs."""
    import logging

    if address not in ("auto", "local"):
        _check_reachable(address)
    # read by Ray when it is imported
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "error")  # its C++ retry lines are not for the user
    token = (os.environ.get("RAY_AUTH_TOKEN") or os.environ.get("RAY_AUTH_TOKEN_PATH")
             or (Path.home() / ".ray" / "auth_token").is_file())
    if token and "RAY_AUTH_MODE" not in os.environ:
        # Ray 2.59+ starts clusters on this machine with token authentication, and a client given an address
        # sends no token unless told to; a cluster without authentication ignores it
        os.environ["RAY_AUTH_MODE"] = "token"
    ray = ray_module()
    options = {"logging_level": logging.ERROR, "log_to_driver": False}
    try:
        if address == "local":
            ray.init(num_cpus=cores(), include_dashboard=False, **options)
        else:
            ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise InfiniError(f"cannot join the Ray cluster at {address} ({str(exc).splitlines()[0][:160]})") from None
    return int(ray.cluster_resources().get("CPU", 0))


def _actor_class(ray):
    class BatchWorker:
        def __init__(self, settings: dict, threads: int) -> None:
            from infinicli.batch.worker import Worker

            self.worker = Worker(settings, threads)

        def hello(self) -> dict:
            return self.worker.hello()

        def run(self, job: dict) -> dict:
            return self.worker.run(job)

    return ray.remote(max_restarts=0, max_task_retries=0)(BatchWorker)


class RayPool(Pool):
    """Ray actors, one per worker, each asking the cluster for --threads CPUs."""

    def __init__(self, settings: dict, workers: int, threads: int) -> None:
        super().__init__(settings, workers, threads)
        self.ray = ray_module()
        self.actor = _actor_class(self.ray).options(num_cpus=threads)
        self.actors: dict[int, object] = {}  # worker number -> actor handle
        self.pending: dict = {}  # object ref -> (kind, worker number)
        self.numbered = 0

    def _start(self) -> None:
        self.numbered += 1
        handle = self.actor.remote(self.settings, self.threads)
        self.actors[self.numbered] = handle
        self.pending[handle.hello.remote()] = ("hello", self.numbered)

    def _submit(self, worker: int, job: dict) -> None:
        self.pending[self.actors[worker].run.remote(job)] = ("run", worker)

    def _alive(self) -> bool:
        return bool(self.actors)

    def _next(self) -> tuple[str, object, object]:
        ray = self.ray
        [ref], _ = ray.wait(list(self.pending), num_returns=1)
        kind, worker = self.pending.pop(ref)
        try:
            reply = ray.get(ref)
        except ray.exceptions.RayActorError as exc:
            self._forget(worker)
            return "died", worker, f"Ray actor {worker} died: {str(exc).splitlines()[0][:160]}"
        if kind == "hello":
            return ("fatal", worker, reply["fatal"]) if "fatal" in reply else ("ready", worker, reply["ready"])
        return "result", worker, reply

    def _forget(self, worker: int) -> None:
        handle = self.actors.pop(worker, None)
        for ref, (_, owner) in list(self.pending.items()):
            if owner == worker:
                del self.pending[ref]
        if handle is not None:
            self.ray.kill(handle, no_restart=True)

    def close(self) -> None:
        for worker in list(self.actors):
            self._forget(worker)
        self.ray.shutdown()
