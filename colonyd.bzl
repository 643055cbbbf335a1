"""colonyd_binary: a colonyd daemon with the built-in backends plus yours.

    load("@colony//:colonyd.bzl", "colonyd_binary")

    cc_library(
        name = "upper_backend",
        srcs = ["upper_backend.cc"],   # COLONYD_REGISTER_BACKEND(...)
        deps = ["@colony//daemon:backend", "@colony//daemon:tcp_service"],
        alwayslink = True,             # keep the static registrar
    )

    colonyd_binary(
        name = "mydaemon",
        backends = [":upper_backend"],
    )

A backend registers itself with COLONYD_REGISTER_BACKEND (daemon/backend.h)
from a cc_library with `alwayslink = True`; linking it in is all it takes.
The binary's main() is colonyd's (//cmd/colonyd:main), so the flags,
config file, signals, admin endpoint and shutdown are the same as colonyd's.
"""

def colonyd_binary(name, backends = [], builtins = True, deps = [], **kwargs):
    """A daemon binary: colonyd's main, the built-in backends, `backends`.

    Args:
      name: the binary's name.
      backends: cc_library targets (alwayslink) that register backends.
      builtins: whether to link colonyd's built-in backends (http) and the
        admin endpoint.
      deps: more libraries to link.
      **kwargs: passed to cc_binary (visibility, tags, ...).
    """
    builtin = [Label("//cmd/colonyd:builtin_backends")] if builtins else []
    native.cc_binary(
        name = name,
        deps = [Label("//cmd/colonyd:main")] + builtin + backends + deps,
        **kwargs
    )
