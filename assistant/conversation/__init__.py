"""The conversation engine and the ways to run it: the composition root (:func:`build_assistant`),
the :class:`Conversation` engine over chunk streams, file mode (scripts) and live mode (microphone)."""

from assistant.conversation.config import WAKE_MODES, AssistantConfig, ConversationConfig
from assistant.conversation.engine import Conversation
from assistant.conversation.output import DeviceOutput, FileOutput, Output
from assistant.conversation.root import Assistant, LibraryProblem, build_assistant, open_library
from assistant.conversation.script import Script, ScriptTurn, load_script, run_script, summarise
from assistant.conversation.types import ReplyRecord, TurnRecord

__all__ = [
    "WAKE_MODES",
    "Assistant",
    "AssistantConfig",
    "Conversation",
    "ConversationConfig",
    "DeviceOutput",
    "FileOutput",
    "LibraryProblem",
    "Output",
    "ReplyRecord",
    "Script",
    "ScriptTurn",
    "TurnRecord",
    "build_assistant",
    "load_script",
    "open_library",
    "run_script",
    "summarise",
]
