"""The process's global random streams, which every session's script thread shares.

Transforms draw from torch's default generator and Python's ``random``, as torchvision's do, and so does building
a model with random weights. Whatever seeds those streams or draws from them in the server holds
:data:`GLOBAL_STREAMS` for the whole pass, or one student's previews would continue another student's stream.
"""

from __future__ import annotations

import threading

__all__ = ["GLOBAL_STREAMS"]

#: Reentrant: a pass that holds it may call code that takes it again.
GLOBAL_STREAMS = threading.RLock()
