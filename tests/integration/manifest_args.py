# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Translate the pyaudit container of a DaemonSet manifest into the
arguments of `podman run`, one per line, so that image.bats runs the image
with exactly the capabilities, mounts and security settings the manifest
gives, and the two cannot drift apart. A field it does not know how to
translate is an error, not something silently left out.

usage: manifest_args.py MANIFEST [HOSTPATH=DIR ...]
  HOSTPATH=DIR  mount DIR where the manifest mounts hostPath HOSTPATH (the
                test keeps the log directory in its own temporary one)
Prints the podman options, a line "--", the image, and the container's
args.
"""
import sys

import yaml

KNOWN_CONTAINER = {"name", "image", "imagePullPolicy", "args",
                   "securityContext", "resources", "volumeMounts"}
KNOWN_POD = {"hostPID", "automountServiceAccountToken", "enableServiceLinks",
             "tolerations", "terminationGracePeriodSeconds", "containers",
             "volumes"}
KNOWN_SECURITY = {"runAsUser", "runAsGroup", "privileged",
                  "readOnlyRootFilesystem", "seccompProfile", "capabilities"}


def fail(msg):
    sys.exit("manifest_args: " + msg)


def daemonset(path):
    with open(path) as f:
        for doc in yaml.safe_load_all(f):
            if doc and doc.get("kind") == "DaemonSet":
                return doc
    fail(f"no DaemonSet in {path}")


def unknown(what, keys, known):
    extra = set(keys) - known
    if extra:
        fail(f"{what}: no podman translation for {sorted(extra)}")


def main():
    if len(sys.argv) < 2:
        fail("usage: manifest_args.py MANIFEST [HOSTPATH=DIR ...]")
    remap = dict(a.split("=", 1) for a in sys.argv[2:])
    pod = daemonset(sys.argv[1])["spec"]["template"]["spec"]
    unknown("pod spec", pod, KNOWN_POD)
    if len(pod["containers"]) != 1:
        fail("one container expected")
    ctr = pod["containers"][0]
    unknown("container", ctr, KNOWN_CONTAINER)
    out = []
    if pod.get("hostPID"):
        out.append("--pid=host")
    sc = ctr.get("securityContext", {})
    unknown("securityContext", sc, KNOWN_SECURITY)
    if sc.get("privileged"):
        out.append("--privileged")
    if "runAsUser" in sc:
        out.append(f"--user={sc['runAsUser']}:{sc.get('runAsGroup', 0)}")
    if sc.get("readOnlyRootFilesystem"):
        out.append("--read-only")
    seccomp = sc.get("seccompProfile", {}).get("type", "Unconfined")
    if seccomp == "Unconfined":
        out.append("--security-opt=seccomp=unconfined")
    elif seccomp != "RuntimeDefault":
        fail(f"seccompProfile {seccomp}: no podman translation")
    caps = sc.get("capabilities", {})
    unknown("capabilities", caps, {"add", "drop"})
    for c in caps.get("drop", []):
        out.append(f"--cap-drop={c.lower()}")
    for c in caps.get("add", []):
        out.append(f"--cap-add=CAP_{c.upper()}")
    limits = ctr.get("resources", {}).get("limits", {})
    if "memory" in limits:
        out.append("--memory=" + limits["memory"].replace("Mi", "m").replace("Gi", "g"))
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for m in ctr.get("volumeMounts", []):
        v = volumes.get(m["name"]) or fail(f"volume {m['name']} undefined")
        if set(v) != {"name", "hostPath"}:
            fail(f"volume {m['name']}: only hostPath volumes are translated")
        host = remap.get(v["hostPath"]["path"], v["hostPath"]["path"])
        ro = ":ro" if m.get("readOnly") else ""
        out.append(f"--volume={host}:{m['mountPath']}{ro}")
    out.append("--")
    out.append(ctr["image"])
    out.extend(ctr.get("args", []))
    print("\n".join(out))


main()
