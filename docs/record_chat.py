"""Record a real chat session on the default model as docs/chat.svg (the README's screenshot).

    python docs/record_chat.py
"""
import io
import random

from rich.console import Console
from rich.markdown import Markdown

import ui.chat
from agent.home import KigiHome
from agent.models import load_engine
from agent.session import Session
from llm.sampling import SamplingConfig
from memory.log import ConversationLog
from ui.chat import ChatREPL


def render_once(console, pieces, markdown):
    """Live re-rendering would record every frame; the SVG shows the final Markdown once."""
    text = "".join(pieces)
    console.print(Markdown(text))
    return text


ui.chat.stream_answer = render_once

home = KigiHome.resolve().ensure()
engine = load_engine(home, "smollm2-135m-instruct")
log = ConversationLog(home.db)
session = Session(engine, "smollm2-135m-instruct", log=log)
console = Console(record=True, width=100, file=io.StringIO(), force_terminal=True, highlight=False)
script = iter(["Give me three tips for writing clean Python code.", "/good", "/retry", "/compare", "a", "/exit"])
def read(prompt):
    line = next(script)
    console.print(f"[bold]{prompt}[/]{line}")
    return line
ChatREPL(console, session, SamplingConfig(max_new_tokens=120), read=read, rng=random.Random(1)).run()
console.save_svg("docs/chat.svg", title="kigi chat")
print("ok")
