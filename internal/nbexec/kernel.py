# Drives one Jupyter kernel over the Jupyter protocol with jupyter_client,
# for nbexec.Kernel (kernel.go): one JSON request per line on stdin, one
# JSON reply per line on stdout. Run by Debian's python3, which has
# jupyter_client; nothing else is needed.
#
#   {"op": "start", "kernel": "gonb", "cwd": "...", "env": {...}}
#   {"op": "execute", "code": "...", "timeout": 300}
#   {"op": "restart", "env": {...}}
#   {"op": "shutdown"}
#
# Every reply has "error" (empty when the request worked). End of stdin
# shuts the kernel down gracefully, so that it removes its scratch folder.
import json
import os
import queue
import sys
import time
import uuid

from jupyter_client.manager import KernelManager
from jupyter_core.paths import jupyter_runtime_dir

km = None
kc = None
launch_env = {}


def start(req):
    global km, kc, launch_env
    kid = str(uuid.uuid4())
    km = KernelManager(kernel_name=req.get("kernel") or "gonb", kernel_id=kid)
    # kernel-<id>.json, as a notebook server names it: GoNB reads its
    # kernel id (GONB_JUPYTER_KERNEL_ID) from the name.
    runtime = os.environ.get("JUPYTER_RUNTIME_DIR") or jupyter_runtime_dir()
    os.makedirs(runtime, exist_ok=True)
    km.connection_file = os.path.join(runtime, "kernel-%s.json" % kid)
    launch_env = dict(os.environ)
    launch_env.update(req.get("env") or {})
    km.start_kernel(cwd=req.get("cwd") or os.getcwd(), env=launch_env)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=req.get("timeout") or 120)
    return {"pid": km.provisioner.process.pid, "kernel_id": kid}


def execute(req):
    msg_id = kc.execute(req["code"], allow_stdin=False, stop_on_error=False)
    deadline = time.time() + (req.get("timeout") or 300)
    outputs, by_display = [], {}
    started = time.time()
    while True:
        try:
            m = kc.get_iopub_msg(timeout=max(0.05, deadline - time.time()))
        except queue.Empty:
            km.interrupt_kernel()
            return {"outputs": outputs, "seconds": time.time() - started,
                    "error": "no answer within %ss: the kernel was interrupted" % req.get("timeout")}
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        kind, c = m["msg_type"], m["content"]
        if kind == "stream":
            if outputs and outputs[-1]["output_type"] == "stream" and outputs[-1]["name"] == c["name"]:
                outputs[-1]["text"] += c["text"]
            else:
                outputs.append({"output_type": "stream", "name": c["name"], "text": c["text"]})
        elif kind in ("display_data", "execute_result"):
            out = {"output_type": kind, "data": c.get("data", {})}
            did = (c.get("transient") or {}).get("display_id")
            if did:
                by_display.setdefault(did, []).append(out)
            outputs.append(out)
        elif kind == "update_display_data":
            did = (c.get("transient") or {}).get("display_id")
            for out in by_display.get(did, []):
                out["data"] = c.get("data", {})
        elif kind == "error":
            outputs.append({"output_type": "error", "ename": c.get("ename", ""), "evalue": c.get("evalue", "")})
        elif kind == "status" and c["execution_state"] == "idle":
            break
    return {"outputs": outputs, "seconds": time.time() - started, "error": ""}


def restart(req):
    # The kernel restarts with the environment it was started with, plus
    # what the request adds.
    launch_env.update(req.get("env") or {})
    km.restart_kernel(now=False, env=dict(launch_env))
    kc.wait_for_ready(timeout=req.get("timeout") or 120)
    return {"pid": km.provisioner.process.pid, "kernel_id": km.kernel_id}


def shutdown(_req=None):
    global km, kc
    if kc is not None:
        kc.stop_channels()
    if km is not None and km.has_kernel:
        km.shutdown_kernel(now=False)
    km = kc = None
    return {}


OPS = {"start": start, "execute": execute, "restart": restart, "shutdown": shutdown}

for line in sys.stdin:
    req = json.loads(line)
    try:
        reply = OPS[req["op"]](req)
        reply.setdefault("error", "")
    except Exception as e:  # the Go side reports it
        reply = {"error": "%s: %s" % (type(e).__name__, e)}
    print(json.dumps(reply), flush=True)
    if req["op"] == "shutdown":
        break
try:
    shutdown()
except Exception:
    pass
