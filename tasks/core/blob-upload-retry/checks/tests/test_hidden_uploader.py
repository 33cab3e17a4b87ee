import pytest

from blobstore.client import Response, Uploader, UploadError


class Script:
    def __init__(self, *responses):
        self.responses = list(responses)
        self.calls = 0

    def __call__(self, method, url, data, headers):
        self.calls += 1
        return self.responses.pop(0)


def ok():
    return Response(200, {"ETag": '"abc"'})


def test_success_first_try():
    t = Script(ok())
    assert Uploader("https://store", "tok", transport=t, sleep=lambda s: None).put("k", b"x") == '"abc"'
    assert t.calls == 1


def test_retries_503_with_backoff():
    delays = []
    t = Script(Response(503, {}), Response(502, {}), ok())
    up = Uploader("https://store", "tok", transport=t, backoff=0.5, sleep=delays.append)
    assert up.put("k", b"x") == '"abc"'
    assert delays == [0.5, 1.0]


def test_honours_retry_after():
    delays = []
    t = Script(Response(503, {"Retry-After": "7"}), ok())
    Uploader("https://store", "tok", transport=t, sleep=delays.append).put("k", b"x")
    assert delays == [7.0]


def test_gives_up_after_max_attempts():
    t = Script(*[Response(500, {}, b"oops")] * 5)
    with pytest.raises(UploadError) as err:
        Uploader("https://store", "tok", transport=t, max_attempts=3, sleep=lambda s: None).put("k", b"x")
    assert err.value.status == 500 and t.calls == 3


def test_client_errors_fail_immediately():
    t = Script(Response(403, {}, b"denied"), ok())
    with pytest.raises(UploadError) as err:
        Uploader("https://store", "tok", transport=t, sleep=lambda s: None).put("k", b"x")
    assert err.value.status == 403 and t.calls == 1
