"""The one complete build of the small config that the workflow tests share."""

import pytest

from tests.workflow.runs import snakemake, workflow_copy


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    """A complete default-target build of the small config; tests copy it before changing
    anything."""
    folder = workflow_copy(tmp_path_factory.mktemp("run") / "wf")
    done = snakemake(folder)
    assert done.returncode == 0, done.stderr[-3000:]
    (folder / "snakemake.err").write_text(done.stderr)
    return folder
