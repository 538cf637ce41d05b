#!/usr/bin/env python3
"""Generate tests/vectors/crypto.json: Phase crypto test vectors computed by libsodium.

Every value comes from libsodium through PyNaCl's low-level bindings: kx seed keypairs,
X25519, kx session keys, keyed BLAKE2b (blind-index key digests), XChaCha20-Poly1305
"raw" framing (ciphertext || tag || nonce), `ph:v1` asymmetric ciphertexts, wrapped key
shares, environment keys and ciphertexts that must fail to decrypt.  Each vector is
checked here before it is written (decrypt what was encrypted, client.tx == server.rx,
...) and the known answers of PROTOCOL.md section 3.8 and RFC 7748 are asserted.

Nothing is random: every seed, secret key, nonce, share and wrap key is derived as
BLAKE2b(b"phasekit-vectors/" + label), so two runs produce byte-identical JSON and
`--check` can compare the committed file with a fresh run.

The script bootstraps itself: it creates `.venv/vectors` under the repository root,
installs PyNaCl into it and re-executes itself with that interpreter.
Usage: python3 tests/vectors/generate.py [--out PATH] [--check]
"""

from __future__ import annotations

import argparse
import base64
import binascii
import difflib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv" / "vectors"
DEFAULT_OUT = ROOT / "tests" / "vectors" / "crypto.json"
PYNACL_PIN = "1.6.2"
GUARD = "PHASEKIT_VECTORS_IN_VENV"


def reexec_in_venv() -> None:
    """Create the venv with PyNaCl if needed, then run this script again inside it."""
    bindir, exe = ("Scripts", "python.exe") if os.name == "nt" else ("bin", "python")
    python = str(VENV / bindir / exe)
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = subprocess.run([python, "-c", "import nacl"], capture_output=True)
    if probe.returncode != 0:
        pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        if subprocess.run([*pip, f"pynacl=={PYNACL_PIN}"]).returncode != 0:
            print("vectors: pin failed, trying newest PyNaCl 1.x", file=sys.stderr)
            subprocess.run([*pip, "pynacl>=1,<2"], check=True)
    script = str(Path(__file__).resolve())
    os.execve(python, [python, script, *sys.argv[1:]], {**os.environ, GUARD: "1"})


if __name__ == "__main__" and os.environ.get(GUARD) != "1":
    reexec_in_venv()

import nacl  # noqa: E402
from nacl import bindings as sodium  # noqa: E402
from nacl.encoding import RawEncoder  # noqa: E402
from nacl.exceptions import CryptoError  # noqa: E402
from nacl.hash import blake2b  # noqa: E402

Entry = dict[str, Any]


def table(block: str) -> list[list[str]]:
    """Parse a whitespace-separated table (one row per line)."""
    return [line.split() for line in block.strip().splitlines()]


# Known answers: PROTOCOL.md 3.8.1 (Go SDK testdata), 3.8.2 (real server fixture), 3.8.3.
KAT = dict(table("""
kx.11_22.rx b0053e142960e91d365043abe725043e227e745ff53fa1f4815056b45a0bc4ea
kx.11_22.tx 0f8fd492c10c2dd3dca73ccb41f633d20109e94a4a4a1bbbc3e39387633faa9f
kx.01_fe.rx de574e41c1f317a078fb5578bd67b34bd07aec9895b9e7b3ace01922f45440f4
kx.01_fe.tx 0627befd560c3d0180650500a1170253d5df1f2dca2874e2241b11e21f6b883b
blake.0 38010cfe3a8e684cb17e6d049525e71d4e9dc3be173fc05bf5c5ca1c7e7c25e7
blake.1 27e29d6aff0af8d5df144e7a82e59d3e1bdd2963b6ba5a1a51efbf088c39a8bb
blake.2 6c9295d6d31af938dcb6a3730839aa782731565531ac6fad1a25f643f9199ab4
blake.3 714a0d63dbc6af0f74e02105786259f5edb287766f701d78a077ab1a9e5d59f2
blake.4 dbcba4cc64138d7c68ee91ad50c9e08c4eb33303144e431b59005a7f56dbe515
blake.5 0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8
blake.6 256c83b297114d201b30179f3f0ef0cace9783622da5974326b436178aeef610
raw.hello d5adf015d81074f6878974f6cc189e9b2a44aee1ac246fb9c8db40020202020202020202020202020202020202020202020202
raw.go_hello 38e81e26784df4d55585c2a465378c45aa4385e9df29fd11d5a72046491ede02b3f0cbe1fc67da5d118526e302ccc131d25c73
raw.go_empty 9cfe59047467fc0063718a8a9bed7eb169f3d50a06e098e00cd6c820fd2c57504c09e4901f4db547
ph.hello ph:v1:a4e09292b651c278b9772c569f5fa9bb13d906b46ab68c9df9dc2b4409f8a209:0aWnU9KBW0+SrAIg2jr++lKaNdkkAgICAgICAgICAgICAgICAgICAgICAgIC
ph.go ph:v1:9d3ac13a04e1a68273ac8ce341f215b988f93b444a72098817ba87f934795d02:2JYKMsRIhehCa1PPVHkDxyR8ST7xfPvc5MgBIpHfHFPW0hjD2n5f3qIJAzCgOIbBHjkcDSeehtWpp+d/
share.wrapped dcf9fe4bd40367ad90d0768229e994d3934f0919f5cebe902c94146402327d556b86c604e3374a95943e8f9db826986300868e41918e90c547be71f9218048f48a46f4176286cad43fe1198535b1aff2020202020202020202020202020202020202020202020202
xor.a 6eed8a70ac9e75ab1894b06d4a5e21d1072649529753f3244316c6d9e4c9c951
xor.b a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6
xor.ab cf5f49a44968d213d144519fe9eae407e0de4048bc6fbe7a2c66474b477d0c87
fix.wrapped_share 3fbd711ef2d5266c30d104f2831690939cc020c01963da275163e32b0f1596a34ebdb795714e6005e42f5cd65a767f6f4eb1f0c29342c8da2cfb6a042cd1e7a258250c11c6a9c676fc3ab1ed87b8576f22a8b43ca12ffc6da79eef0cbe44988534da40c031e87dbd
fix.account_sk 286c96eef23195d5c6077606b80fd50c6a11c08a6b4e1f6db90cbe3fecac9a51
fix.account_pk 170d014dae1a2d76130e4eb6579fe1edce5c4ea0b69794cd6a18978769120709
fix.keyshare0 e1e5018e0829a1142c79afa5f70c01c8d4889b15116553d266e761851ad11197
fix.wrap_key b5b26ee93f0b68cecfa53c4a7dc8ffcb75bbecdd1f56930a9118a1e4a72b34f9
fix.wrapped_seed ph:v1:ee47a425e193b4915aa3a7015e6a5d750adbdbda1425d4b908715e0ceb420b19:F6+YKR6y6zWxGaBdTOMllfS6ZtnrW4XDfTg2V3aaFPaMNP3JYCcz9zFwBLQpPBj8XxbABG3zQyzwy+yKLUHkCBTaPG2XbaHewzpSgJmnMaU75LgbCdij6lgk2wdnH8qMukOhO3ALmmE=
fix.wrapped_salt ph:v1:60d05a1e1824e1cf58a0529797b0406e181e504077c2a9d3938132c54e72ce15:KfN7VdKQVP7PKziCp8BTnpXQbelFH2jY27EA3JZYP1sPFlyxC2BX6iHd/MjatZGubzTPa+xSAFJ/5gsaSJ/RTe9OFAjeC/imdwCijxLKUfmVxnXvRC1QBtZl54x0MauNIEx0IfeW+m4=
fix.salt fd76246577f73b97c8ba60f6804d4bca6c5a518ad589de3d871a4affd37de4c4
fix.key_digest 639673a7ed8cd7188e75ed60a2e24e5752119d27b642db367cf747dd02bbdb6c
fix.identity_key 53b9d2b5e10cd1919dd1828959c292484b6a0c0b97853b04abbf078b13053c75
"""))
# crypto_kx_seed_keypair: seed, public key, private key (PROTOCOL.md 3.8.1).
SEED_KATS = {seed: (pk, sk) for seed, pk, sk in table("""
0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef 24eaf70f070a925d6d5176f20495d4d90867624d9a10379e2a9aef0955c9bf4e b85c84f9828524519d32b97cd3dda961fdba2dbf407ae4601e2129229aa463c2
aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 7fb9d9f66d4dc570f707c96b528d775516d7ba4e5feb83d2c55719a91857fb2c 046c0d987075db8217087bae19e9f753305890fc6772908c57f07878211cc8cb
fefefefefefefefefefefefefefefefefefefefefefefefefefefefefefefefe 0c4dd67e4067217a07ba10caefc6202c22e47f47ace33d47ea0f6d1d38230a37 ba7bd8fbe711f27e0d726b0ec94c8f3da6963f787abd6c77a2c9d0464b09a545
""")}
# Public keys only (PROTOCOL.md 3.8.1 gives no private keys for these seeds).
SEED_PK_KATS = {
    "11" * 32: "cb8403d9e0857b55c47ff233b6b4379588c9644aababb2588027bf7188b98217",
    "22" * 32: "89e2e17b0a384fecb8057084b5b1ba5b5c3c0eca440388432103a9c6e152d81f",
}
# RFC 7748 5.2 and 6.1 (Alice's and Bob's public keys, shared secret): scalar, u, out.
RFC_X25519 = table("""
a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4 e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552
4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493 95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957
77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a 0900000000000000000000000000000000000000000000000000000000000000 8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a
5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb 0900000000000000000000000000000000000000000000000000000000000000 de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f
77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f 4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742
""")
# Curve25519 points of order 1, 2, 4 and 8 as in libsodium's blocklist: 0, 1, the two
# order-8 points, p - 1, p, p + 1.  low_order_points() adds their top-bit-set twins.
LOW_ORDER = [row[0] for row in table("""
0000000000000000000000000000000000000000000000000000000000000000
0100000000000000000000000000000000000000000000000000000000000000
e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800
5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157
ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f
edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f
eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f
""")]
BLAKE2B_INPUTS = [  # (input, salt) of the BLAKE2b known answers blake.0 .. blake.6
    ("hello", "world"),
    ("", "some-salt"),
    ("phase secrets manager", ""),
    ("unicode: 日本語 emoji 🔐", "salt-value"),
    ("a" * 1000, "long-input-test"),
    ("", ""),
    ("hello world", ""),
]
AB = "abcdef0123456789" * 4  # symmetric key of PROTOCOL.md 3.8
N2 = bytes([2]) * 24  # nonce of PROTOCOL.md 3.8.3


class Reject(Exception):
    """Reference decryption failed; args[0] is the reason of invalid_ciphertexts."""


def check(ok: bool, what: str) -> None:
    if not ok:
        raise SystemExit(f"vectors: self-check failed: {what}")


def rnd(label: str, size: int = 32) -> bytes:
    """Deterministic stand-in for random bytes, derived from a label."""
    data = b"phasekit-vectors/" + label.encode()
    return blake2b(data, digest_size=size, encoder=RawEncoder)


def digest(message: bytes, key: bytes = b"", size: int = 32) -> bytes:
    return blake2b(message, digest_size=size, key=key, encoder=RawEncoder)


def unhex(*values: str) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def xor(a: bytes, b: bytes) -> bytes:
    check(len(a) == len(b), "xor operands of equal length")
    return bytes(x ^ y for x, y in zip(a, b))


def keypair(seed_hex: str) -> tuple[bytes, bytes]:
    """crypto_kx_seed_keypair -> (public key, private key)."""
    return sodium.crypto_kx_seed_keypair(bytes.fromhex(seed_hex))


def raw_keypair(sk: bytes) -> tuple[bytes, bytes]:
    """crypto_kx_keypair style: raw (unclamped) private key, X25519 public key."""
    return sodium.crypto_scalarmult_base(sk), sk


def text(length: int, stride: int) -> str:
    """Deterministic printable ASCII (includes ':', '=', '$', '{', ...)."""
    return "".join(chr(0x21 + (i * stride) % 94) for i in range(length))


def encrypt_raw(plaintext: bytes, key: bytes, nonce: bytes) -> bytes:
    aead = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt
    return aead(plaintext, None, nonce, key) + nonce


def decrypt_raw(blob: bytes, key: bytes) -> bytes:
    if len(blob) < 40:
        raise Reject("format")
    aead = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt
    try:
        return aead(blob[:-24], None, blob[-24:], key)
    except CryptoError:
        raise Reject("authentication") from None


def ph_encrypt(plaintext: str, recipient_pk: bytes, eph_sk: bytes, nonce: bytes) -> str:
    eph_pk = sodium.crypto_scalarmult_base(eph_sk)
    _, tx = sodium.crypto_kx_client_session_keys(eph_pk, eph_sk, recipient_pk)
    body = base64.b64encode(encrypt_raw(plaintext.encode(), tx, nonce)).decode()
    return f"ph:v1:{eph_pk.hex()}:{body}"


def ph_decrypt(ciphertext: str, sk: bytes, pk: bytes) -> str:
    """Reference `ph:v1` decryption with strict (Go-style) format checks."""
    parts = ciphertext.split(":")
    if len(parts) != 4 or parts[0] != "ph" or parts[1] != "v1":
        raise Reject("format")
    if len(parts[2]) != 64 or not set(parts[2]) <= set("0123456789abcdefABCDEF"):
        raise Reject("format")
    try:
        blob = base64.b64decode(parts[3], validate=True)
    except binascii.Error:
        raise Reject("format") from None
    if len(blob) < 40:
        raise Reject("format")
    try:
        rx, _ = sodium.crypto_kx_server_session_keys(pk, sk, bytes.fromhex(parts[2]))
    except CryptoError:
        raise Reject("key_exchange") from None
    return decrypt_raw(blob, rx).decode("utf-8")


def seed_keypairs() -> list[Entry]:
    out = []
    for seed in [
        *SEED_KATS,
        *SEED_PK_KATS,
        "deadbeef" * 8,
        "00" * 32,
        "ff" * 32,
        *(rnd(f"seed/{i}").hex() for i in (0, 1)),
    ]:
        pk, sk = keypair(seed)
        check(sk == digest(bytes.fromhex(seed)), f"sk = BLAKE2b-256(seed) for {seed}")
        check(pk == sodium.crypto_scalarmult_base(sk), f"pk = X25519(sk) for {seed}")
        pair = (pk.hex(), sk.hex())
        check(SEED_KATS.get(seed, pair) == pair, f"seed keypair KAT {seed}")
        check(SEED_PK_KATS.get(seed, pair[0]) == pair[0], f"seed public key KAT {seed}")
        out.append({"seed": seed, "public_key": pk.hex(), "private_key": sk.hex()})
    return out


def scalarmult_base() -> list[Entry]:
    unclamped = bytearray(rnd("scalarmult-base/0"))
    unclamped[0] |= 0x07
    unclamped[31] |= 0xC0
    clamped = bytes([unclamped[0] & 0xF8, *unclamped[1:31], unclamped[31] & 0x7F])
    keys = [RFC_X25519[2][0], RFC_X25519[3][0], "00" * 32, "ff" * 32]
    keys += [unclamped.hex(), clamped.hex(), rnd("scalarmult-base/1").hex()]
    out = []
    for k in keys:
        pk = sodium.crypto_scalarmult_base(bytes.fromhex(k)).hex()
        out.append({"secret_key": k, "public_key": pk})
    rfc = [RFC_X25519[2][2], RFC_X25519[3][2]]
    check([e["public_key"] for e in out[:2]] == rfc, "RFC 7748 6.1 public keys")
    check(out[4]["public_key"] == out[5]["public_key"], "X25519 clamps internally")
    return out


def x25519() -> list[Entry]:
    high = bytearray(keypair(rnd("x25519/peer").hex())[0])
    high[31] |= 0x80
    low = high[:31] + bytes([high[31] & 0x7F])
    s0, s1, s2 = (rnd(f"x25519/{i}").hex() for i in range(3))
    cases = [(s, u) for s, u, _ in RFC_X25519] + [(s0, keypair("22" * 32)[0].hex())]
    cases += [(s1, high.hex()), (s1, low.hex()), (s2, "ff" * 31 + "7f")]
    cases += [(s2, "12" + "00" * 31)]
    out = []
    for scalar, point in cases:
        shared = sodium.crypto_scalarmult(*unhex(scalar, point))
        out.append({"scalar": scalar, "point": point, "shared": shared.hex()})
    for entry, (_, _, want) in zip(out, RFC_X25519):
        check(entry["shared"] == want, f"RFC 7748 X25519 {entry['scalar'][:8]}")
    check(out[6]["shared"] == out[7]["shared"], "top bit of the point is ignored")
    check(out[8]["shared"] == out[9]["shared"], "non-canonical point p+18 acts as 18")
    return out


def low_order_points() -> list[str]:
    points = LOW_ORDER + [p[:62] + f"{int(p[62:], 16) | 0x80:02x}" for p in LOW_ORDER]
    pk, sk = keypair("fe" * 32)
    for point in unhex(*points):
        for name, fn, args in [
            ("scalarmult", sodium.crypto_scalarmult, (sk, point)),
            ("kx client", sodium.crypto_kx_client_session_keys, (pk, sk, point)),
            ("kx server", sodium.crypto_kx_server_session_keys, (pk, sk, point)),
        ]:
            try:
                fn(*args)
                check(False, f"libsodium {name} rejects low-order {point.hex()}")
            except CryptoError:
                pass
    return points


def session_keys() -> list[Entry]:
    cases = [
        (keypair("11" * 32), keypair("22" * 32)),
        (raw_keypair(bytes([1]) * 32), keypair("fe" * 32)),
        (raw_keypair(rnd("session/0/client")), raw_keypair(rnd("session/0/server"))),
        (raw_keypair(rnd("session/1/client")), keypair(rnd("session/1/seed").hex())),
    ]
    out = []
    for (cpk, csk), (spk, ssk) in cases:
        crx, ctx = sodium.crypto_kx_client_session_keys(cpk, csk, spk)
        srx, stx = sodium.crypto_kx_server_session_keys(spk, ssk, cpk)
        h = digest(sodium.crypto_scalarmult(csk, spk) + cpk + spk, size=64)
        check(crx == stx == h[:32] and ctx == srx == h[32:], "rx/tx split of BLAKE2b")
        names = "client_public_key client_private_key server_public_key"
        names += " server_private_key client_rx client_tx server_rx server_tx"
        values = (cpk, csk, spk, ssk, crx, ctx, srx, stx)
        out.append({n: v.hex() for n, v in zip(names.split(), values)})
    for entry, kat in zip(out, ("kx.11_22", "kx.01_fe")):
        rx_tx = (entry["client_rx"], entry["client_tx"])
        check(rx_tx == (KAT[f"{kat}.rx"], KAT[f"{kat}.tx"]), f"{kat} session keys")
    return out


def blake2b_digests() -> list[Entry]:
    cases = BLAKE2B_INPUTS + [
        ("unicode: 日本語 emoji 🔐", ""),
        (text(1000, 7), "k" * 64),
    ]
    out = []
    for i, (message, salt) in enumerate([*cases, ("DATABASE_URL", "sël 🔑")]):
        value = digest(message.encode(), salt.encode()).hex()
        check(KAT.get(f"blake.{i}", value) == value, f"BLAKE2b KAT {message[:20]!r}")
        out.append({"input": message, "salt": salt, "digest": value})
    return out


def key_digests() -> list[Entry]:
    salt, other = rnd("key-digest/salt/0").hex(), rnd("key-digest/salt/1").hex()
    names = ["DATABASE_URL", "db_password", "DB_PASSWORD", "KEY WITH SPACE"]
    cases = [("SATELLITE_HANDOFF_KEY", KAT["fix.salt"])]
    cases += [(n, salt) for n in [*names, "ÜNÏCÖDE_KEY", ""]] + [
        ("DATABASE_URL", other)
    ]
    out = []
    for key, s in cases:
        value = digest(key.encode(), s.encode("ascii"))
        check(value != digest(key.encode(), bytes.fromhex(s)), "key is the ASCII salt")
        out.append({"key": key, "salt": s, "digest": value.hex()})
    check(out[0]["digest"] == KAT["fix.key_digest"], "3.8.2 key digest KAT")
    return out


def encrypt_raw_vectors() -> list[Entry]:
    key, go_hello, go_empty = unhex(AB, KAT["raw.go_hello"], KAT["raw.go_empty"])
    cases = [("hello world", key, N2), ("", key, N2)]
    cases += [("hello world", key, go_hello[-24:]), ("", key, go_empty[-24:])]
    texts = ["", "line one\nline two\r\n\ttab line\n", "unicode: 日本語 émoji 🔐"]
    for i, t in enumerate([*texts, text(4096, 11)]):
        cases.append((t, rnd(f"raw/{i}/key"), rnd(f"raw/{i}/nonce", 24)))
    out = []
    for pt, k, nonce in cases:
        blob = encrypt_raw(pt.encode(), k, nonce)
        check(len(blob) == len(pt.encode()) + 40, "raw blob length")
        check(decrypt_raw(blob, k) == pt.encode(), "raw round trip")
        entry = {"plaintext": pt, "key": k.hex(), "nonce": nonce.hex()}
        out.append(entry | {"blob": blob.hex()})
    check(out[0]["blob"] == KAT["raw.hello"], "3.8.3 encrypt_raw KAT")
    check([go_hello.hex(), go_empty.hex()] == [e["blob"] for e in out[2:4]], "Go raw")
    return out


def asymmetric() -> list[Entry]:
    fe, other = keypair("fe" * 32), keypair(rnd("asymmetric/recipient").hex())
    pem = base64.b64encode(b"".join(rnd(f"pem/{i}", 64) for i in range(3))).decode()
    pem = "\n".join(pem[i : i + 64] for i in range(0, len(pem), 64))
    pem = f"-----BEGIN PRIVATE KEY-----\n{pem}\n-----END PRIVATE KEY-----\n"
    texts = ["", "secret-api-key-12345", pem, "unicode: 日本語テスト 🔑🔒 émoji"]
    texts += ["postgres://u:p=ss@host:5432/db?o=a:b==", "${staging.DB_HOST}:${DB_PORT}"]
    texts += [text(10000, 13), rnd("asymmetric/hex").hex()]
    cases = [("hello", fe, bytes([1]) * 32, N2)]
    for i, t in enumerate(texts):
        eph, nonce = rnd(f"asym/{i}/eph"), rnd(f"asym/{i}/nonce", 24)
        cases.append((t, (fe, other)[i % 2], eph, nonce))
    out = []
    for pt, (pk, sk), eph_sk, nonce in cases:
        ct = ph_encrypt(pt, pk, eph_sk, nonce)
        check(ph_decrypt(ct, sk, pk) == pt, f"ph:v1 round trip {pt[:20]!r}")
        eph_pk = sodium.crypto_scalarmult_base(eph_sk)
        out.append(
            {
                "plaintext": pt,
                "recipient_public_key": pk.hex(),
                "recipient_private_key": sk.hex(),
                "ephemeral_private_key": eph_sk.hex(),
                "ephemeral_public_key": eph_pk.hex(),
                "nonce": nonce.hex(),
                "ciphertext": ct,
            }
        )
    check(out[0]["ciphertext"] == KAT["ph.hello"], "3.8.3 ph:v1 KAT")
    pads = {len(e["ciphertext"]) - len(e["ciphertext"].rstrip("=")) for e in out}
    check(pads == {0, 1, 2}, "ciphertexts cover 0, 1 and 2 padding characters")
    check(ph_decrypt(KAT["ph.go"], fe[1], fe[0]) == "secret-api-key-12345", "Go ph:v1")
    return out


def share(
    account_sk: Optional[bytes],
    keyshare0: Optional[bytes],
    keyshare1: bytes,
    wrap_key: bytes,
    nonce: bytes,
) -> Entry:
    wrapped = encrypt_raw(keyshare1.hex().encode("ascii"), wrap_key, nonce)
    check(len(wrapped.hex()) == 208, "wrapped key share is 208 hex chars")
    unwrapped = bytes.fromhex(decrypt_raw(wrapped, wrap_key).decode("ascii"))
    check(keyshare0 is None or xor(keyshare0, unwrapped) == account_sk, "rebuild sk")
    account_pk = account_sk and sodium.crypto_scalarmult_base(account_sk)
    return {
        "account_private_key": account_sk and account_sk.hex(),
        "account_public_key": account_pk and account_pk.hex(),
        "keyshare0": keyshare0 and keyshare0.hex(),
        "keyshare1": keyshare1.hex(),
        "wrap_key": wrap_key.hex(),
        "nonce": nonce.hex(),
        "wrapped_key_share": wrapped.hex(),
    }


def key_shares() -> list[Entry]:
    a, b, ab, key = unhex(KAT["xor.a"], KAT["xor.b"], KAT["xor.ab"], AB)
    out = [share(None, None, b, key, N2), share(ab, a, b, key, N2)]
    fix = unhex(*(KAT[f"fix.{k}"] for k in "account_sk keyshare0 wrap_key".split()))
    nonce = bytes.fromhex(KAT["fix.wrapped_share"])[-24:]
    out.append(share(fix[0], fix[1], xor(fix[0], fix[1]), fix[2], nonce))
    for i in range(2):
        account, ks0 = rnd(f"account/{i}"), rnd(f"share/{i}/keyshare0")
        wrap_key, nonce = rnd(f"share/{i}/wrap"), rnd(f"share/{i}/nonce", 24)
        out.append(share(account, ks0, xor(account, ks0), wrap_key, nonce))
    wrapped = [e["wrapped_key_share"] for e in out]
    check(wrapped[0] == wrapped[1] == KAT["share.wrapped"], "3.8.3 wrapped key share")
    check(wrapped[2] == KAT["fix.wrapped_share"], "3.8.2 wrapped key share")
    check(out[2]["account_public_key"] == KAT["fix.account_pk"], "3.8.2 account pk")
    return out


def xor_reconstruct(shares: list[Entry]) -> list[Entry]:
    x = rnd("xor/x").hex()
    pairs = [(KAT["xor.a"], KAT["xor.b"]), ("ff" * 32, "00" * 32), (AB, AB), (x, x)]
    full = [e for e in shares if e["keyshare0"]][1:]  # [0] repeats the XOR KAT
    pairs += [(e["keyshare0"], e["keyshare1"]) for e in full]
    out = [{"shares": [a, b], "expected": xor(*unhex(a, b)).hex()} for a, b in pairs]
    want = [KAT["xor.ab"], "ff" * 32, "00" * 32, "00" * 32]
    want += [e["account_private_key"] for e in full]
    check([e["expected"] for e in out] == want, "XOR reconstruction")
    return out


def environment_keys() -> list[Entry]:
    out = []
    for i in range(3):
        account_pk, account_sk = raw_keypair(rnd(f"account/{i}"))
        seed, salt = rnd(f"env/{i}/seed").hex(), rnd(f"env/{i}/salt").hex()
        entry = {"account_private_key": account_sk.hex()}
        entry |= {"account_public_key": account_pk.hex(), "seed": seed, "salt": salt}
        for name, value in (("seed", seed), ("salt", salt)):
            eph, nonce = rnd(f"env/{i}/{name}/eph"), rnd(f"env/{i}/{name}/nonce", 24)
            wrapped = ph_encrypt(value, account_pk, eph, nonce)
            check(ph_decrypt(wrapped, account_sk, account_pk) == value, "env unwrap")
            entry[f"wrapped_{name}"] = wrapped
            entry[f"wrapped_{name}_ephemeral_private_key"] = eph.hex()
            entry[f"wrapped_{name}_nonce"] = nonce.hex()
        env_pk, env_sk = keypair(seed)
        entry["environment_public_key"] = env_pk.hex()
        entry["environment_private_key"] = env_sk.hex()
        out.append(entry)
    # The real server fixture (PROTOCOL.md 3.8.2) must unwrap with the reference code.
    sk, pk = unhex(KAT["fix.account_sk"], KAT["fix.account_pk"])
    seed = ph_decrypt(KAT["fix.wrapped_seed"], sk, pk)
    check(keypair(seed)[0].hex() == KAT["fix.identity_key"], "3.8.2 identity key")
    check(ph_decrypt(KAT["fix.wrapped_salt"], sk, pk) == KAT["fix.salt"], "3.8.2 salt")
    return out


def invalid_ciphertexts() -> list[Entry]:
    pk, sk = keypair("fe" * 32)
    good = ph_encrypt(
        "top-secret", pk, rnd("invalid/0/eph"), rnd("invalid/0/nonce", 24)
    )
    eph, body = good.split(":")[2:]
    blob = base64.b64decode(body)
    check(ph_decrypt(good, sk, pk) == "top-secret" and "=" in body, "padded ciphertext")
    check(bool(set(body) & set("+/")), "body has '+' or '/' for the url-safe case")

    def with_blob(data: bytes, flip: int = -1) -> str:
        """Re-encode a blob, flipping the lowest bit of byte `flip` if given."""
        data = bytes(v ^ (i == flip) for i, v in enumerate(data))
        return f"ph:v1:{eph}:{base64.b64encode(data).decode()}"

    cases = [
        ("wrong prefix pk:v1", "pk" + good[2:], "format"),
        ("unsupported version ph:v2", "ph:v2" + good[5:], "format"),
        ("three segments", f"ph:v1:{eph}", "format"),
        ("five segments", f"{good}:{body}", "format"),
        ("empty string", "", "format"),
        ("non-hex ephemeral key", f"ph:v1:{eph[:-1]}g:{body}", "format"),
        ("63-char ephemeral key", f"ph:v1:{eph[:-1]}:{body}", "format"),
        ("invalid base64 character", f"ph:v1:{eph}:!{body[1:]}", "format"),
        ("base64 without padding", good.rstrip("="), "format"),
        (
            "url-safe base64 alphabet",
            good.translate(str.maketrans("+/", "-_")),
            "format",
        ),
        ("empty body", f"ph:v1:{eph}:", "format"),
        ("blob shorter than 40 bytes", with_blob(blob[:39]), "format"),
    ]
    for label, point in [("zero", 0), ("order 8", 2), ("p+1", 6)]:
        ct = f"ph:v1:{LOW_ORDER[point]}:{body}"
        cases.append((f"low-order ephemeral key ({label})", ct, "key_exchange"))
    cases += [
        ("flipped bit in ciphertext", with_blob(blob, 0), "authentication"),
        ("flipped bit in tag", with_blob(blob, len(blob) - 40), "authentication"),
        ("flipped bit in nonce", with_blob(blob, len(blob) - 1), "authentication"),
        ("wrong recipient keypair", good, "authentication"),
        ("wrong recipient public key in KDF", good, "authentication"),
    ]
    other_pk, other_sk = keypair("11" * 32)
    keys = {cases[-2][0]: (other_pk, other_sk), cases[-1][0]: (other_pk, sk)}
    out = []
    for name, ct, reason in cases:
        rpk, rsk = keys.get(name, (pk, sk))
        try:
            got = f"plaintext {ph_decrypt(ct, rsk, rpk)!r}"
        except Reject as rejected:
            got = rejected.args[0]
        check(got == reason, f"{name!r} must fail with {reason}, got {got}")
        out.append(
            {
                "name": name,
                "ciphertext": ct,
                "recipient_public_key": rpk.hex(),
                "recipient_private_key": rsk.hex(),
                "reason": reason,
            }
        )
    return out


def build() -> dict[str, Any]:
    shares = key_shares()
    about = "Generated by tests/vectors/generate.py with libsodium via PyNaCl"
    about += (
        f" {nacl.__version__}; regenerate with `python3 tests/vectors/generate.py`."
    )
    return {
        "about": about,
        "seed_keypairs": seed_keypairs(),
        "scalarmult_base": scalarmult_base(),
        "x25519": x25519(),
        "low_order_points": low_order_points(),
        "session_keys": session_keys(),
        "blake2b_digests": blake2b_digests(),
        "key_digests": key_digests(),
        "encrypt_raw": encrypt_raw_vectors(),
        "asymmetric": asymmetric(),
        "key_shares": shares,
        "xor_reconstruct": xor_reconstruct(shares),
        "environment_keys": environment_keys(),
        "invalid_ciphertexts": invalid_ciphertexts(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON file")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    data = build()
    rendered = json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    if not args.check:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(rendered)
        counts = [f"{k} {len(v)}" for k, v in data.items() if isinstance(v, list)]
        print(f"vectors: wrote {shown} ({', '.join(counts)})")
        return 0
    if not out.exists():
        print(f"vectors: {shown} is missing; run without --check", file=sys.stderr)
        return 1
    committed = out.read_text(encoding="utf-8")
    if committed == rendered:
        print(f"vectors: {shown} matches libsodium output")
        return 0
    diff = difflib.unified_diff(committed.splitlines(), rendered.splitlines(), n=0)
    changed = [d for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---")]
    print(f"vectors: {shown} differs from libsodium output", file=sys.stderr)
    print(
        f"  {len(changed)} changed lines (- committed, + generated):", file=sys.stderr
    )
    for line in changed[:12]:
        print(f"  {line[:100]}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
