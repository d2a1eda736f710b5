"""The process-level malloc setting of the recipes can be switched off.

Authors
 * speechbrain-fica contributors 2026
"""

from speechbrain_fica.utils.performance import keep_freed_memory


def test_environment_switches_keep_freed_memory_off(monkeypatch, caplog):
    monkeypatch.setenv("FICA_KEEP_FREED_MEMORY", "0")
    with caplog.at_level("INFO"):
        assert keep_freed_memory() is False
    assert "FICA_KEEP_FREED_MEMORY=0" in caplog.text
