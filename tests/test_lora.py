"""LoRA on tiny real models: frozen base, merge/unmerge, switching, PEFT parity, save/load."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch

from llm.linear import Linear  # the model's plain float layer
from llm.lora import (
    AdapterFormatError,
    AdapterMismatchError,
    LoRAConfig,
    LoRAError,
    LoRALinear,
    adapters_of,
    base_fingerprint,
    parse_targets,
)
from llm.quant_model import quantize_model
from llm.weights import build_model, load_weights
from tests.tiny import tiny_llama_hf

VOCAB = 96
ALL = ("q", "k", "v", "o", "gate", "up", "down")
pytestmark = pytest.mark.usefixtures("one_thread")  # tiny models: one thread each


@pytest.fixture(scope="module")
def hf_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("tiny-llama")
    tiny_llama_hf(VOCAB, seed=0).save_pretrained(directory, safe_serialization=True)
    return directory


@pytest.fixture(scope="module")
def other_hf_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("other-llama")
    tiny_llama_hf(VOCAB, seed=1).save_pretrained(directory, safe_serialization=True)
    return directory


def kigi_model(directory: Path):
    return build_model(load_weights(directory))


def hf_model(directory: Path):
    from transformers import LlamaForCausalLM

    return LlamaForCausalLM.from_pretrained(directory).eval()


def tokens(seed: int = 0, batch: int = 2, length: int = 12) -> torch.Tensor:
    return torch.randint(3, VOCAB, (batch, length), generator=torch.Generator().manual_seed(seed))


def randomise(adapters, name: str, seed: int) -> None:
    """A fresh adapter has B = 0; give it values so that it changes the output."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for param in adapters.parameters(name):
            param.copy_(torch.randn(param.shape, generator=generator) * 0.2)


def base_state(model) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in model.state_dict().items() if "lora_" not in k}


def assert_same_base(model, before: dict[str, torch.Tensor]) -> None:
    after = {k.replace(".base.", "."): v for k, v in model.state_dict().items() if "lora_" not in k}
    assert set(after) == set(before)
    for key, tensor in before.items():
        assert torch.equal(after[key], tensor), key


# -- config --------------------------------------------------------------------------------
def test_config_validates_each_field():
    assert LoRAConfig(rank=4, alpha=8).scaling == 2.0
    assert LoRAConfig(targets="q,v").targets == ("q", "v")
    assert parse_targets("attn,down") == ("q", "k", "v", "o", "down")
    for bad, field in [(dict(rank=0), "rank"), (dict(alpha=0), "alpha"), (dict(dropout=1.0), "dropout"),
                       (dict(targets=("q", "x")), "targets"), (dict(targets=()), "targets")]:
        with pytest.raises(ValueError, match=f"LoRAConfig.{field}"):
            LoRAConfig(**bad)
    config = LoRAConfig(rank=4, alpha=8, targets=("q", "down"))
    assert LoRAConfig.from_dict(config.to_dict()) == config
    assert LoRAConfig.from_peft(config.to_peft("base")) == config


def test_adapter_names_are_checked(hf_dir):
    adapters = adapters_of(kigi_model(hf_dir))
    for bad in ("", "a.b", "has space", "../up"):
        with pytest.raises(LoRAError, match="adapter name"):
            adapters.add(bad, LoRAConfig())


# -- frozen base, merge, switching -----------------------------------------------------------
def test_new_adapter_leaves_output_and_base_unchanged(hf_dir):
    model = kigi_model(hf_dir)
    idx = tokens()
    reference = model(idx)
    adapters = adapters_of(model)
    adapters.add("a", LoRAConfig(rank=4, targets=ALL), seed=0)
    adapters.activate("a")
    assert torch.equal(model(idx), reference)  # B = 0 at init
    wrapped = model.blocks[0].attn.q
    assert isinstance(wrapped, LoRALinear) and wrapped.in_features == 32 and wrapped.out_features == 32
    assert adapters_of(model) is adapters


def test_training_moves_only_the_adapter_and_base_stays_bit_identical(hf_dir):
    model = kigi_model(hf_dir)
    before = base_state(model)
    adapters = adapters_of(model)
    adapters.add("a", LoRAConfig(rank=4, targets=("q", "v", "down")), seed=0)
    adapters.activate("a")
    params = adapters.train_only("a")
    assert {id(p) for p in model.parameters() if p.requires_grad} == {id(p) for p in params}
    optimizer = torch.optim.AdamW(params, lr=1e-2, weight_decay=0.1)
    idx = tokens()
    for _ in range(3):
        loss = torch.nn.functional.cross_entropy(model(idx[:, :-1]).flatten(0, 1), idx[:, 1:].flatten())
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    assert any(p.abs().sum() > 0 for k, p in adapters.named_parameters("a").items() if "lora_B" in k)
    assert_same_base(model, before)


def test_merged_equals_unmerged_double_merge_is_a_noop_and_unmerge_restores_bits(hf_dir):
    model = kigi_model(hf_dir)
    before = base_state(model)
    adapters = adapters_of(model)
    adapters.add("a", LoRAConfig(rank=4, alpha=8, targets=ALL), seed=0)
    randomise(adapters, "a", 0)
    adapters.activate("a")
    idx = tokens()
    with torch.no_grad():
        unmerged = model(idx)
        layer = model.blocks[1].mlp.down
        expected_weight = layer.base.weight + 2.0 * layer.lora_B["a"] @ layer.lora_A["a"]
        adapters.merge()
        merged_weight = layer.base.weight.clone()
        merged = model(idx)
        adapters.merge()  # again: nothing changes
        assert torch.equal(layer.base.weight, merged_weight)
        assert torch.equal(model(idx), merged)
    torch.testing.assert_close(merged_weight, expected_weight)
    torch.testing.assert_close(merged, unmerged, atol=1e-5, rtol=1e-5)
    adapters.unmerge()
    adapters.unmerge()
    assert_same_base(model, before)
    with torch.no_grad():
        assert torch.equal(model(idx), unmerged)


def test_switching_changes_outputs_and_off_restores_the_base(hf_dir):
    model = kigi_model(hf_dir)
    idx = tokens()
    with torch.no_grad():
        base = model(idx)
        adapters = adapters_of(model)
        adapters.add("a", LoRAConfig(rank=4, targets=("q", "v")), seed=0)
        adapters.add("b", LoRAConfig(rank=2, targets=("up", "down")), seed=1)
        randomise(adapters, "a", 0)
        randomise(adapters, "b", 1)
        adapters.activate("a")
        out_a = model(idx)
        adapters.activate("b")
        out_b = model(idx)
        adapters.activate(None)
        assert torch.equal(model(idx), base)
        assert not torch.allclose(out_a, base) and not torch.allclose(out_b, base)
        assert not torch.allclose(out_a, out_b)
        with adapters.using("a"):
            assert torch.equal(model(idx), out_a)
        assert adapters.active is None
        # switching while merged keeps the merged mode and gives the same outputs
        adapters.merge()
        adapters.activate("b")
        torch.testing.assert_close(model(idx), out_b, atol=1e-5, rtol=1e-5)
        adapters.activate(None)
        assert torch.equal(model(idx), base)
        adapters.unmerge()
        adapters.remove("a")
        adapters.remove("b")
    assert type(model.blocks[0].attn.q) is Linear
    assert adapters.names == []


def test_fingerprint_ignores_precision_and_adapters_but_not_the_model(hf_dir, other_hf_dir):
    model = kigi_model(hf_dir)
    fingerprint = base_fingerprint(model)
    assert base_fingerprint(build_model(load_weights(hf_dir), torch.bfloat16)) == fingerprint
    adapters_of(model).add("a", LoRAConfig(), seed=0)
    assert base_fingerprint(model) == fingerprint
    assert base_fingerprint(kigi_model(other_hf_dir)) != fingerprint


# -- save / load -------------------------------------------------------------------------------
def test_save_load_round_trip_in_peft_layout(hf_dir, tmp_path):
    model = kigi_model(hf_dir)
    adapters = adapters_of(model)
    adapters.add("a", LoRAConfig(rank=4, alpha=8, targets=("q", "v", "gate")), seed=0)
    randomise(adapters, "a", 0)
    adapters.activate("a")
    idx = tokens()
    with torch.no_grad():
        expected = model(idx)
    adapters.save("a", tmp_path / "a", base_name="tiny", metadata={"training": {"steps": 3}})
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [
        "adapter_config.json", "adapter_model.safetensors", "kigi_adapter.json"]
    peft_config = json.loads((tmp_path / "a" / "adapter_config.json").read_text())
    assert peft_config["r"] == 4 and peft_config["target_modules"] == ["gate_proj", "q_proj", "v_proj"]
    from safetensors.torch import load_file

    keys = set(load_file(tmp_path / "a" / "adapter_model.safetensors"))
    assert "base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight" in keys
    assert "base_model.model.model.layers.0.mlp.gate_proj.lora_B.weight" in keys and len(keys) == 2 * 2 * 3

    fresh = kigi_model(hf_dir)
    info = adapters_of(fresh).load(tmp_path / "a", activate=True)
    assert info.name == "a" and info.base_name == "tiny" and info.metadata["training"] == {"steps": 3}
    assert info.config == LoRAConfig(rank=4, alpha=8, targets=("q", "v", "gate"))
    with torch.no_grad():
        assert torch.equal(fresh(idx), expected)


def test_loading_onto_another_base_fails_clearly(hf_dir, other_hf_dir, tmp_path):
    model = kigi_model(hf_dir)
    adapters = adapters_of(model)
    adapters.add("a", LoRAConfig(), seed=0)
    adapters.save("a", tmp_path / "a", base_name="tiny-0")
    other = kigi_model(other_hf_dir)
    with pytest.raises(AdapterMismatchError, match="trained on another base model \\(tiny-0"):
        adapters_of(other).load(tmp_path / "a")
    assert adapters_of(other).names == [] and type(other.blocks[0].attn.q) is Linear


def test_an_adapter_of_a_wider_model_is_refused_by_shape(hf_dir, tmp_path):
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=VOCAB, hidden_size=48, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2)
    directory = tmp_path / "wide"
    LlamaForCausalLM(config).save_pretrained(directory)
    adapters = adapters_of(kigi_model(directory))
    adapters.add("w", LoRAConfig(), seed=0)
    adapters.save("w", tmp_path / "w")
    (tmp_path / "w" / "kigi_adapter.json").unlink()  # as a PEFT adapter would come: no fingerprint
    with pytest.raises(AdapterMismatchError, match="lora_A.weight' has shape \\(8, 48\\), expected \\(8, 32\\)"):
        adapters_of(kigi_model(hf_dir)).load(tmp_path / "w")


def write_peft_adapter(directory: Path, shapes: dict[str, tuple[int, ...]],
                       dtype: torch.dtype = torch.float32) -> Path:
    """A bare adapter as Hugging Face `peft` writes one: no kigi card, so no fingerprint."""
    from safetensors.torch import save_file

    directory.mkdir(parents=True)
    (directory / "adapter_config.json").write_text(json.dumps(
        {"peft_type": "LORA", "r": 4, "lora_alpha": 8, "target_modules": ["q_proj", "v_proj"]}))
    save_file({f"base_model.model.model.layers.{key}.weight": torch.zeros(shape, dtype=dtype)
               for key, shape in shapes.items()}, directory / "adapter_model.safetensors")
    return directory


GOOD = {"0.self_attn.q_proj.lora_A": (4, 32), "0.self_attn.q_proj.lora_B": (32, 4),
        "1.self_attn.v_proj.lora_A": (4, 32), "1.self_attn.v_proj.lora_B": (16, 4)}  # v: 2 KV heads of 8


def test_a_bare_peft_adapter_is_checked_against_the_base_before_it_is_attached(hf_dir, tmp_path):
    from types import SimpleNamespace

    from agent.adapters import AdapterStore

    store = AdapterStore(tmp_path / "adapters", bundled=None)
    write_peft_adapter(store.path_for("wide-v"), {**GOOD, "1.self_attn.v_proj.lora_B": (32, 4)})
    model = kigi_model(hf_dir)
    engine = SimpleNamespace(model=model)  # the store only needs the engine's model
    key = re.escape("'base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight'")
    with pytest.raises(AdapterMismatchError, match=f"tensor {key} has shape \\(32, 4\\), expected \\(16, 4\\)"):
        store.use(engine, "wide-v")
    assert adapters_of(model).names == [] and not any(isinstance(m, LoRALinear) for m in model.modules())
    write_peft_adapter(store.path_for("fits"), GOOD)
    assert store.use(engine, "fits").layers == (0, 1)  # the same layout with the model's shapes loads


@pytest.mark.parametrize(("shapes", "dtype", "message"), [
    ({**GOOD, "0.self_attn.q_proj.lora_A": (2, 32)}, torch.float32,
     r"has shape \(2, 32\), expected \(4, 32\) \(r=4 in adapter_config.json\)"),
    ({**GOOD, "0.self_attn.q_proj.lora_A": (128,)}, torch.float32, r"has shape \(128,\), expected \(4, 32\)"),
    (GOOD, torch.int64, r"q_proj.lora_A.weight' is torch.int64, not floating point"),
], ids=["rank", "not-a-matrix", "integers"])
def test_a_hand_written_adapter_that_contradicts_its_own_config_is_refused(hf_dir, tmp_path, shapes, dtype, message):
    directory = write_peft_adapter(tmp_path / "bad", shapes, dtype=dtype)
    model = kigi_model(hf_dir)
    with pytest.raises(AdapterFormatError, match=message):
        adapters_of(model).load(directory)
    assert adapters_of(model).names == [] and type(model.blocks[0].attn.q) is Linear


def test_unsupported_peft_options_and_damaged_files_are_refused(hf_dir, tmp_path):
    model = kigi_model(hf_dir)
    adapters = adapters_of(model)
    adapters.add("a", LoRAConfig(), seed=0)
    adapters.save("a", tmp_path / "a")
    config_file = tmp_path / "a" / "adapter_config.json"
    config = json.loads(config_file.read_text())
    config_file.write_text(json.dumps({**config, "use_dora": True}))
    with pytest.raises(AdapterFormatError, match="use_dora"):
        adapters_of(kigi_model(hf_dir)).load(tmp_path / "a")
    config_file.write_text(json.dumps(config))
    (tmp_path / "a" / "adapter_model.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(AdapterFormatError, match="not a readable safetensors"):
        adapters_of(kigi_model(hf_dir)).load(tmp_path / "a")


# -- PEFT parity ------------------------------------------------------------------------------
@pytest.mark.parametrize("modules", [["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
                                     "all-linear"])
def test_an_adapter_saved_by_peft_gives_the_same_logits_in_kigi(hf_dir, tmp_path, modules):
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(0)
    peft_model = get_peft_model(hf_model(hf_dir), LoraConfig(
        r=4, lora_alpha=8, lora_dropout=0.0, init_lora_weights=False, target_modules=modules)).eval()
    peft_model.save_pretrained(tmp_path / "from-peft")
    idx = tokens()
    with torch.no_grad():
        expected = peft_model(idx).logits
        model = kigi_model(hf_dir)
        info = adapters_of(model).load(tmp_path / "from-peft", name="p", activate=True)
        got = model(idx)
    assert info.config == LoRAConfig(rank=4, alpha=8, targets=ALL)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-4)
    with torch.no_grad():
        assert not torch.allclose(hf_model(hf_dir)(idx).logits, expected, atol=1e-3)


def test_an_adapter_saved_by_kigi_gives_the_same_logits_in_peft(hf_dir, tmp_path):
    from peft import PeftModel

    model = kigi_model(hf_dir)
    adapters = adapters_of(model)
    adapters.add("k", LoRAConfig(rank=4, alpha=16, targets=("q", "v", "o", "up")), seed=0)
    randomise(adapters, "k", 3)
    adapters.activate("k")
    adapters.save("k", tmp_path / "from-kigi", base_name="tiny")
    idx = tokens()
    with torch.no_grad():
        expected = model(idx)
        peft_model = PeftModel.from_pretrained(hf_model(hf_dir), tmp_path / "from-kigi").eval()
        got = peft_model(idx).logits
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-4)


def test_adapters_work_on_a_quantized_base_with_the_same_fingerprint(hf_dir):
    fingerprint = base_fingerprint(kigi_model(hf_dir))
    model = quantize_model(kigi_model(hf_dir), "int8")
    assert base_fingerprint(model) == fingerprint
    adapters = adapters_of(model)
    adapters.add("a", LoRAConfig(rank=4, targets=ALL), seed=0)
    randomise(adapters, "a", 0)
    idx = tokens()
    with torch.no_grad():
        base = model(idx)
        adapters.activate("a")
        tuned = model(idx)
    assert tuned.dtype == base.dtype and not torch.allclose(tuned.float(), base.float())
    with pytest.raises(LoRAError, match="cannot merge"):
        adapters.merge()
