"""A real SMTP server on a free loopback port (aiosmtpd), optionally refusing messages."""

import socket
import time
from email import message_from_bytes, policy
from email.message import EmailMessage


class Mailbox:
    """Stores what it accepts; refuses the first `refuse` messages with `reply`."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.refuse, self.reply, self.refused = 0, "451 4.3.0 Try again later", 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > self.refused:
            self.refused += 1
            return self.reply
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 2.0.0 OK"

    def wait_for(self, count: int, timeout: float = 15.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"{len(self.messages)} of {count} emails arrived"
            time.sleep(0.05)
        return self.messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
