"""Deterministic A/B buckets: which of 10,000 buckets a visitor falls in."""

from hashlib import blake2b

from mmh3 import hash as murmur3

BUCKETS = 10_000


def hash_seed(experience_uid, seed):
    """The 32-bit MurmurHash3 seed of an experience, from its uid and ``seed``."""
    digest = blake2b(f"{experience_uid}:{seed}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big")


def bucket(experience_hash_seed, user_uid):
    """The visitor's bucket (0 … 9,999) in an A/B experience.

    MurmurHash3 (32 bits) of the user uid, seeded per experience (``hash_seed``),
    so two experiences split visitors independently. It is the same in every
    process and on every machine (unlike ``hash()``), and 2³² values spread
    over 10,000 buckets with a negligible bias.
    """
    return murmur3(user_uid, experience_hash_seed, signed=False) % BUCKETS
