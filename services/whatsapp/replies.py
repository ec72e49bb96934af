"""What the platform answers on WhatsApp, in one place."""

from __future__ import annotations

STRANGER = (
    "Namaste! This number is Yantra's service desk for registered hospitals and labs. "
    "We could not find your number among our users, so no ticket was opened. "
    "Ask your hospital's Yantra admin to add this WhatsApp number to your account "
    "(Profile → WhatsApp number), then write to us again."
)
NOT_ALLOWED = (
    "Your Yantra account cannot report faults. Ask your organisation's admin, "
    "or report it on the Yantra portal."
)
NO_DEVICES = (
    "We found no devices registered to your organisation. Register the device on Yantra "
    "first, or send the serial number printed on it."
)
PHOTO_UNREAD = (
    "We could not read a Yantra label in that photo. Send a sharper photo of the QR "
    "label, or type the serial number."
)
WHICH_DEVICE = "Which device is it? Choose it from the list, or send its serial number."
WHICH_INTENT = "Thanks. To route this right, what kind of request is it?"
WHAT_IS_WRONG = "Got the device. What is wrong with it? Describe it in a few words."


def opened(number: int | None, priority: str, device: str) -> str:
    return (
        f"Ticket #{number} is open ({priority}) for {device}. "
        "An engineer will be assigned; we will keep you posted here."
    )


def added(number: int | None) -> str:
    return f"Added to ticket #{number}. Our service desk sees it."
