import itertools

from packer.codec import pack, unpack


def test_round_trip_text():
    data = b"hello hello hello hello hello" * 20
    assert unpack(pack(data)) == data


def test_compresses_repetitive_payloads():
    data = b"a" * 1000
    assert len(pack(data)) < len(data)


def test_every_one_byte_payload_shrinks_and_round_trips():
    for value in range(256):
        data = bytes([value])
        packed = pack(data)
        assert len(packed) < len(data)
        assert unpack(packed) == data


def test_every_two_byte_payload_shrinks_and_round_trips():
    for a, b in itertools.product(range(256), repeat=2):
        data = bytes([a, b])
        packed = pack(data)
        assert len(packed) < len(data), data
        assert unpack(packed) == data, data
