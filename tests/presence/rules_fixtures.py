"""Rules documents the presence tests share (CXone and Genesys flavours)."""

from __future__ import annotations

from typing import Any

CXONE_RULES: dict[str, Any] = {
    "platform": "cxone",
    "previousStateFallback": {"cc": {"state": "Available"}},
    "breaker": {"maxChanges": 6, "perSeconds": 60, "cooldownSeconds": 300},
    "ruleSets": {
        "default": {
            "publisher": [
                {"when": {"state": "Available"}, "set": "Available_for_Chat"},
                {"when": {"state": "Unavailable", "reason": "Lunch"}, "set": "Lunch"},
                {"when": {"state": "Unavailable", "reason": "Busy"}, "set": "Busy"},
                {"when": {"state": "Unavailable"}, "set": "Away"},
                {"when": {"state": "InboundContact"}, "set": "On_a_Call"},
                {"when": {"state": "LoggedOut"}, "set": "Offline"},
            ],
            "subscriber": [
                {"when": "Busy", "set": {"state": "Unavailable", "reason": "Busy"}},
                {"when": "Lunch", "set": {"state": "Unavailable", "reason": "Lunch"}},
                {"when": "Available_for_Chat", "set": "PREVIOUS_STATE"},
            ],
        },
        "vip": {
            "publisher": [{"when": {"state": "Available"}, "set": "VIP_Available"}],
            "subscriber": [],
        },
        "team7": {
            "publisher": [{"when": {"state": "Available"}, "set": "Team_Available"}],
            "subscriber": [],
        },
    },
    "assignments": {"organization": "default", "teams": {"7": "team7"}, "users": {"1001": "vip", "carol@example.com": "vip"}},
}

GENESYS_RULES: dict[str, Any] = {
    "platform": "genesys",
    "ruleSets": {
        "default": {
            "publisher": [
                {"when": {"state": "Available"}, "set": "Available_for_Chat"},
                {"when": {"state": "On Queue"}, "set": "Available_for_Chat"},
                {"when": {"state": "On Queue", "routing": "INTERACTING"}, "set": "On_a_Call"},
                {"when": {"state": "Away"}, "set": "Away"},
                {"when": {"state": "Meal"}, "set": "Lunch"},
                {"when": {"state": "Busy"}, "set": "Busy"},
            ],
            "subscriber": [
                {"when": "Busy", "set": {"state": "Busy"}},
                {"when": "Lunch", "set": {"state": "Meal"}},
                {"when": "Away", "set": {"state": "Away"}},
                {"when": "Available_for_Chat", "set": "PREVIOUS_STATE"},
            ],
        }
    },
    "previousStateFallback": {"cc": {"state": "Available"}},
    "assignments": {"organization": "default"},
}
