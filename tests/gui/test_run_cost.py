"""What every Streamlit run pays that grows with the lab (issue 17): the data dir's YAML files.

A run reads ``auth.yaml`` and ``api-users.yaml`` about 17 times; parsing them each time cost
0.3-0.4 ms per GUI user, so a lab of 50 waited ~0.4 s more on every click (bench_many_users).
"""

from __future__ import annotations

import yaml

from tests.gui.apptest import logged_in


def test_a_rerun_parses_no_yaml_when_the_files_did_not_change(make_user, monkeypatch):
    user = make_user("editor")
    app = logged_in(user)  # the Sessions page; its files parsed once here
    parses = []

    def counted(real):
        return lambda *args, **kwargs: parses.append(1) or real(*args, **kwargs)

    for name in ("load", "safe_load"):
        monkeypatch.setattr(yaml, name, counted(getattr(yaml, name)))
    app.run()
    assert not app.exception and app.dataframe  # the page was drawn, as the user
    assert not parses, f"a rerun parsed YAML {len(parses)} times"
    make_user("viewer")  # both files rewritten (a new user): each changed file is parsed once again
    app.run()
    assert not app.exception and 1 <= len(parses) <= 2
