"""Repository macro that brings Colony's dependencies into a Bazel workspace.

Colony builds offline against Debian's system packages. A workspace that
depends on Colony calls `colony_dependencies()` from its own WORKSPACE after
declaring the `colony` repository:

    local_repository(name = "colony", path = "...")
    load("@colony//:colony_deps.bzl", "colony_dependencies")
    colony_dependencies()

It declares, unless the workspace already has them:
  * `rules_cc`: a minimal rules_cc whose `cc/defs.bzl` forwards to the native
    C++ rules (Bazel 4.2.3 ships its rules natively);
  * `rules_java`: Debian's copy under /usr/share/bazel/rules/java;
  * `remote_coverage_tools`: empty filegroups that Bazel's test setup names;
  * `colony_system`: the system libraries (oneTBB, spdlog, Abseil,
    GoogleTest, Google Benchmark, Boost.Context, nlohmann/json) as
    `cc_library` targets.
"""

_RULES_CC_DEFS = '''\
"""Forwards the rules_cc API to Bazel's native C++ rules."""

def cc_binary(**kwargs):
    native.cc_binary(**kwargs)

def cc_import(**kwargs):
    native.cc_import(**kwargs)

def cc_library(**kwargs):
    native.cc_library(**kwargs)

def cc_proto_library(**kwargs):
    native.cc_proto_library(**kwargs)

def cc_test(**kwargs):
    native.cc_test(**kwargs)

def cc_toolchain(**kwargs):
    native.cc_toolchain(**kwargs)

def cc_toolchain_suite(**kwargs):
    native.cc_toolchain_suite(**kwargs)

def fdo_prefetch_hints(**kwargs):
    native.fdo_prefetch_hints(**kwargs)

def fdo_profile(**kwargs):
    native.fdo_profile(**kwargs)

def objc_import(**kwargs):
    native.objc_import(**kwargs)

def objc_library(**kwargs):
    native.objc_library(**kwargs)
'''

_COVERAGE_BUILD = '''\
package(default_visibility = ["//visibility:public"])

filegroup(name = "coverage_report_generator", srcs = [])

filegroup(name = "lcov_merger", srcs = [])
'''

def _files_repository_impl(ctx):
    for path, content in ctx.attr.files.items():
        ctx.file(path, content, executable = False)

_files_repository = repository_rule(
    implementation = _files_repository_impl,
    attrs = {"files": attr.string_dict()},
    doc = "A repository made of the given files, written in place.",
)

def _system_repository_impl(ctx):
    # Expose the system headers and libraries through symlinks so that the
    # BUILD file can refer to them as ordinary repository files.
    ctx.symlink(ctx.attr.include_dir, "include")
    ctx.symlink(ctx.attr.build_file, "BUILD.bazel")
    ctx.file("WORKSPACE", 'workspace(name = "%s")\n' % ctx.name)

_system_repository = repository_rule(
    implementation = _system_repository_impl,
    attrs = {
        "build_file": attr.label(allow_single_file = True),
        "include_dir": attr.string(default = "/usr/include"),
    },
    local = True,
    doc = "System headers and libraries from Debian's packages.",
)

def colony_dependencies():
    """Declares every external repository Colony needs (offline)."""
    existing = native.existing_rules()
    if "rules_cc" not in existing:
        _files_repository(
            name = "rules_cc",
            files = {
                "WORKSPACE": 'workspace(name = "rules_cc")\n',
                "BUILD": "",
                "cc/BUILD": 'exports_files(["defs.bzl"])\n',
                "cc/defs.bzl": _RULES_CC_DEFS,
            },
        )
    if "rules_java" not in existing:
        native.local_repository(
            name = "rules_java",
            path = "/usr/share/bazel/rules/java",
        )
    if "remote_coverage_tools" not in existing:
        _files_repository(
            name = "remote_coverage_tools",
            files = {
                "WORKSPACE": 'workspace(name = "remote_coverage_tools")\n',
                "BUILD": _COVERAGE_BUILD,
            },
        )
    if "colony_system" not in existing:
        _system_repository(
            name = "colony_system",
            build_file = Label("//third_party:system.BUILD"),
        )
