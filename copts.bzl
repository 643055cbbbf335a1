"""Compiler options for every Colony target: the single place they live."""

# Warnings are errors on project code. -std is set in .bazelrc so that it also
# applies to every translation unit of a consuming workspace.
COLONY_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
    "-Wno-missing-field-initializers",
    # Large frames probe every page, so they hit a stack's guard page
    # instead of jumping over it into the neighbouring stack.
    "-fstack-clash-protection",
    # Frame pointers in every frame: Scheduler::Dump() walks the frame chain
    # of suspended tasks' stacks for their backtraces (docs/admin.md).
    "-fno-omit-frame-pointer",
]

# Tests and benchmarks use the same flags; GoogleTest macros trip
# -Wsign-compare in comparisons of sizes with literals.
COLONY_TEST_COPTS = COLONY_COPTS + [
    "-Wno-sign-compare",
]
