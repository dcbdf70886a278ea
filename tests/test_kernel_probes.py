"""The quantized kernels' probes decide on the CPU, whatever device a model is built on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import torch

from llm.kernel_probes import probe
from llm.load import save_quantized
from tests.test_quant import quantized_copy, tiny_llama


def test_a_probe_called_while_a_model_is_built_on_the_meta_device_runs_on_the_cpu():
    @probe
    def on_cpu() -> bool:
        return torch.ones(2).device.type == "cpu" and float(torch.ones(2).sum()) == 2.0

    with torch.device("meta"):
        assert on_cpu()


def test_a_failing_kernel_probes_false():
    @probe
    def missing() -> bool:
        raise NotImplementedError("no such kernel in this build")

    assert missing() is False


def test_a_cached_int4_model_loads_without_torchs_python_meta_kernels(tmp_path):
    """A cached model is assigned into a skeleton built on the meta device; the int4 pack
    op's meta function is Python, and calling it there (or probing the kernels there)
    imported sympy and mpmath: ~0.3 s of every int4 process."""
    model = quantized_copy(tiny_llama(), "int4")
    save_quantized(model, tmp_path / "int4.pt")
    (tmp_path / "config.json").write_text(json.dumps(model.config.to_dict()))
    code = ("import json, sys; from pathlib import Path; from llm.config import ModelConfig; "
            "from llm.load import load_quantized; folder = Path(sys.argv[1]); "
            "load_quantized(ModelConfig.from_dict(json.loads((folder / 'config.json').read_text())), "
            "folder / 'int4.pt', 'int4'); print(sorted({'sympy', 'mpmath'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], check=True)
    assert done.stdout.strip() == "[]"
