"""ZVT codec: CRC, frames and APDUs byte for byte against the standard's layout."""

from __future__ import annotations

import contextlib

import pytest

from drivers.terminal.zvt import apdu as z
from drivers.terminal.zvt.crc import crc16_kermit
from drivers.terminal.zvt.frame import (
    Apdu,
    FrameDecoder,
    FrameError,
    decode_frame,
    encode_apdu,
    encode_frame,
    parse_apdu,
)


def test_crc_check_value() -> None:
    assert crc16_kermit(b"123456789") == 0x2189
    assert crc16_kermit(b"") == 0


def test_positive_ack_frame_is_the_well_known_bytes() -> None:
    # the positive acknowledgement as every ZVT trace shows it (CRC 0x1FF5, low byte first)
    assert encode_frame(bytes.fromhex("800000")) == bytes.fromhex("10 02 80 00 00 10 03 F5 1F")


def test_dle_in_apdu_is_doubled_and_crc_over_unstuffed() -> None:
    apdu = bytes.fromhex("04 FF 01 10")
    crc = crc16_kermit(apdu + b"\x03")
    frame = encode_frame(apdu)
    assert frame == bytes.fromhex("10 02 04 FF 01 10 10 10 03") + bytes([crc & 0xFF, crc >> 8])
    assert decode_frame(frame) == apdu


def test_apdu_length_short_and_extended() -> None:
    assert encode_apdu(0x06, 0x01, b"\xaa" * 3) == bytes.fromhex("06 01 03 AA AA AA")
    long = encode_apdu(0x06, 0xD1, b"\x00" * 300)
    assert long[:5] == bytes.fromhex("06 D1 FF 2C 01")
    assert parse_apdu(long) == Apdu(0x06, 0xD1, b"\x00" * 300)
    assert encode_apdu(0x06, 0xD1, b"\x00" * 0xFE)[2] == 0xFE
    assert encode_apdu(0x06, 0xD1, b"\x00" * 0xFF)[2:5] == bytes.fromhex("FF FF 00")


def test_commands_byte_for_byte() -> None:
    assert z.registration("123456", 0x86).encode() == bytes.fromhex("06 00 06 123456 86 0156")
    assert z.authorisation(1250).encode() == bytes.fromhex("06 01 0A 04 000000001250 49 0156")
    assert z.refund(1).encode() == bytes.fromhex("06 31 0D 000000 04 000000000001 49 0156")
    assert z.reversal(42).encode() == bytes.fromhex("06 30 06 000000 87 0042")
    assert z.end_of_day().encode() == bytes.fromhex("06 50 03 000000")
    assert z.status_enquiry().encode() == bytes.fromhex("05 01 03 000000")
    assert z.repeat_receipt().encode() == bytes.fromhex("06 20 03 000000")
    assert z.abort().encode() == bytes.fromhex("06 B0 00")


def test_command_arguments_checked() -> None:
    with pytest.raises(ValueError):
        z.authorisation(0)
    with pytest.raises(ValueError):
        z.authorisation(10**12)
    with pytest.raises(ValueError):
        z.registration("12345")


STATUS_INFO = bytes.fromhex(
    "27 00"
    "04 000000001250"
    "0B 000123"
    "0C 153012"
    "0D 1125"
    "22 F0F8 6212 34EE EEEE 7890"  # LLVAR, 8 bytes: 621234******7890
    "29 12345678"
    "87 0042"
    "8A 05"
    "3B 3132333435360000"
    "8B F0F8" + b"UnionPay".hex() + "06 03 1F 01 02"  # TLV container skipped
)


def test_status_information_parsed() -> None:
    msg = z.parse_message(Apdu(0x04, 0x0F, STATUS_INFO))
    assert isinstance(msg, z.StatusInfo)
    assert msg.result_code == 0
    assert msg.amount_fen == 1250
    assert msg.trace == "000123"
    assert (msg.time, msg.date) == ("153012", "1125")
    assert msg.masked_pan == "621234******7890"
    assert msg.terminal_id == "12345678"
    assert msg.receipt_no == "0042"
    assert msg.card_type == 5
    assert msg.card_name == "UnionPay"
    assert msg.auth_code == "123456"


def test_full_pan_from_a_terminal_is_masked_anyway() -> None:
    assert z.masked_pan(bytes.fromhex("6212345678901234567F")) == "621234*********4567"


def test_unknown_bmp_refused_and_truncated_bmp_refused() -> None:
    with pytest.raises(z.ApduError, match="unknown BMP 7E"):
        z.parse_bmps(bytes.fromhex("27 00 7E 01"))
    with pytest.raises(z.ApduError, match="truncated"):
        z.parse_bmps(bytes.fromhex("04 0000"))
    with pytest.raises(z.ApduError):
        z.parse_bmps(bytes.fromhex("22 F1"))


def test_pt_messages() -> None:
    assert z.parse_message(Apdu(0x80, 0x00)) == z.Ack()
    assert z.parse_message(Apdu(0x84, 0x83)) == z.Nak(0x83)
    assert z.parse_message(Apdu(0x04, 0xFF, b"\x0a\x3c")) == z.Intermediate(0x0A, 0x3C)
    assert z.parse_message(Apdu(0x06, 0x0F)) == z.Completion()
    assert z.parse_message(Apdu(0x06, 0x1E, b"\x6c")) == z.Aborted(0x6C)
    with pytest.raises(z.ApduError, match="unknown PT command"):
        z.parse_message(Apdu(0x07, 0x07))


def test_texts() -> None:
    assert z.status_text(0x0A) == "请插卡"
    assert z.status_text(0x0A, "en") == "Insert card"
    assert z.result_text(0x6C, "en").startswith("Aborted")
    assert "05" not in z.result_text(0x05)
    assert "(33)" not in z.result_text(0x33)
    assert z.result_text(0x22, "en") == "Declined by the host (22)"
    assert z.status_text(0xEE, "en") == "Status EE"


def test_decoder_incremental_byte_by_byte_with_noise() -> None:
    frames = encode_frame(z.authorisation(1010).encode()) + encode_frame(b"\x80\x00\x00")
    dec = FrameDecoder()
    out: list[bytes | FrameError] = []
    for byte in b"\x06\x15" + frames:
        out += dec.feed(bytes([byte]))
    assert out == [z.authorisation(1010).encode(), b"\x80\x00\x00"]


def test_decoder_rejects_bad_crc_then_recovers() -> None:
    bad = bytearray(encode_frame(b"\x80\x00\x00"))
    bad[-1] ^= 0xFF
    dec = FrameDecoder()
    out = dec.feed(bytes(bad) + encode_frame(b"\x06\x0f\x00"))
    assert isinstance(out[0], FrameError) and "CRC" in str(out[0])
    assert out[1] == b"\x06\x0f\x00"


def test_decoder_truncated_frames() -> None:
    dec = FrameDecoder()
    frame = encode_frame(b"\x04\x0f\x02\x27\x00")
    assert dec.feed(frame[:5]) == []
    assert dec.in_frame
    err = dec.reset()
    assert isinstance(err, FrameError) and "truncated" in str(err)
    assert dec.reset() is None
    # a new frame start inside a frame: the first is reported truncated
    out = dec.feed(frame[:5] + frame)
    assert isinstance(out[0], FrameError) and out[1] == b"\x04\x0f\x02\x27\x00"
    with pytest.raises(FrameError, match="truncated"):
        decode_frame(frame[:-1])


def test_decoder_length_field_mismatch_and_bad_escape() -> None:
    dec = FrameDecoder()
    out = dec.feed(encode_frame(b"\x04\x0f\x05\x27\x00"))
    assert isinstance(out[0], FrameError) and "length field" in str(out[0])
    out = dec.feed(bytes.fromhex("10 02 80 00 10 55 00") + encode_frame(b"\x80\x00\x00"))
    assert isinstance(out[0], FrameError) and out[1] == b"\x80\x00\x00"


def test_decoder_oversized_frame() -> None:
    dec = FrameDecoder(max_apdu=16)
    out = dec.feed(encode_frame(encode_apdu(0x06, 0xD1, b"x" * 40)) + encode_frame(b"\x80\x00\x00"))
    assert isinstance(out[0], FrameError) and "longer than 16" in str(out[0])
    assert out[1] == b"\x80\x00\x00"


def test_apdu_repr_hides_data() -> None:
    assert "62" not in repr(Apdu(0x04, 0x0F, bytes.fromhex("22F0F66212345678")))


def test_random_bytes_never_crash_the_decoder_or_parser() -> None:
    import random

    rng = random.Random(4)
    good = encode_frame(bytes.fromhex("04 0F 02 27 00"))
    for _ in range(2000):
        noise = bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
        mutated = bytearray(good)
        if mutated and rng.random() < 0.5:
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        dec = FrameDecoder(max_apdu=64)
        for item in dec.feed(noise + bytes(mutated) + noise):
            if isinstance(item, bytes):
                with contextlib.suppress(FrameError):
                    z.parse_message(parse_apdu(item))
        dec.reset()
        with contextlib.suppress(FrameError):
            z.parse_message(Apdu(0x04, 0x0F, noise))
