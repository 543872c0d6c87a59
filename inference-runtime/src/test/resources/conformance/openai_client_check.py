# Drives a running Tangram server with the official openai Python client and checks what the client makes of each
# answer: completions and chat completions, streamed and not, several prompts, n, seed, logprobs, echo, stop, usage in
# the stream, content parts, and the errors a client must be able to tell apart.
# usage: python openai_client_check.py BASE_URL   (e.g. http://127.0.0.1:8000/v1) -> "OK <check>" lines; exit 1 on a failure
import sys

import openai

client = openai.OpenAI(base_url=sys.argv[1], api_key="unused", max_retries=0)
failures = []


def check(name, fn):
    try:
        fn()
        print("OK", name)
    except Exception as e:  # report every failure, not only the first
        failures.append(name)
        print("FAIL", name, type(e).__name__, str(e)[:400])


model = client.models.list().data[0].id
GREEDY = dict(model=model, temperature=0, extra_body={"ignore_eos": True})


def completion():
    r = client.completions.create(prompt="Hello there", max_tokens=5, **GREEDY)
    assert r.object == "text_completion" and len(r.choices) == 1, r
    assert r.choices[0].finish_reason == "length" and isinstance(r.choices[0].text, str), r
    assert r.usage.completion_tokens == 5 and r.usage.total_tokens == r.usage.prompt_tokens + 5, r.usage


def several_prompts():
    r = client.completions.create(prompt=["Hello", "World", [1, 2, 3]], max_tokens=3, **GREEDY)
    assert [c.index for c in r.choices] == [0, 1, 2], r.choices
    assert r.usage.completion_tokens == 9, r.usage


def n_with_seed():
    args = dict(model=model, prompt="Hi", max_tokens=4, n=2, seed=7, temperature=0.9, extra_body={"ignore_eos": True})
    a = client.completions.create(**args)
    b = client.completions.create(**args)
    assert len(a.choices) == 2 and [c.text for c in a.choices] == [c.text for c in b.choices], (a, b)


def logprobs_and_echo():
    r = client.completions.create(prompt="Hi there", max_tokens=2, logprobs=2, echo=True, **GREEDY)
    lp = r.choices[0].logprobs
    n = r.usage.prompt_tokens + r.usage.completion_tokens
    assert len(lp.tokens) == n and len(lp.token_logprobs) == n and len(lp.text_offset) == n, lp
    assert lp.token_logprobs[0] is None and all(v <= 0 for v in lp.token_logprobs[1:]), lp
    # the API's rule: the chosen token's log-probability always comes too, so up to logprobs + 1 entries
    assert all(1 <= len(t) <= 3 for t in lp.top_logprobs[1:]), lp.top_logprobs


def stream_matches_the_whole_answer():
    whole = client.completions.create(prompt="Once upon", max_tokens=6, **GREEDY).choices[0].text
    chunks = list(client.completions.create(prompt="Once upon", max_tokens=6, stream=True,
                                            stream_options={"include_usage": True}, **GREEDY))
    text = "".join(c.choices[0].text for c in chunks if c.choices)
    assert text == whole, (text, whole)
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 6 and not chunks[-1].choices, chunks[-1]


def stop_sequence():
    whole = client.completions.create(prompt="abc", max_tokens=12, **GREEDY).choices[0].text
    if len(whole) < 3:
        return
    stop = whole[2]
    r = client.completions.create(prompt="abc", max_tokens=12, stop=[stop], **GREEDY)
    assert r.choices[0].finish_reason == "stop" and stop not in r.choices[0].text, (stop, r.choices[0])


def chat():
    r = client.chat.completions.create(messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
                                       max_tokens=4, **GREEDY)
    m = r.choices[0].message
    assert r.object == "chat.completion" and m.role == "assistant" and isinstance(m.content, str), r
    assert r.usage.completion_tokens == 4, r.usage


def chat_parts_and_developer_role():
    r = client.chat.completions.create(messages=[{"role": "developer", "content": "x"},
                                                 {"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
                                       max_completion_tokens=3, **GREEDY)
    assert r.usage.completion_tokens == 3, r.usage


def chat_stream():
    chunks = list(client.chat.completions.create(messages=[{"role": "user", "content": "Hi"}], max_tokens=5, stream=True,
                                                 stream_options={"include_usage": True}, **GREEDY))
    with_choices = [c for c in chunks if c.choices]
    assert with_choices[0].choices[0].delta.role == "assistant", with_choices[0]
    assert with_choices[-1].choices[0].finish_reason == "length", with_choices[-1]
    assert chunks[-1].usage.completion_tokens == 5 and all(c.object == "chat.completion.chunk" for c in chunks), chunks[-1]


def chat_logprobs():
    r = client.chat.completions.create(messages=[{"role": "user", "content": "Hi"}], max_tokens=3, logprobs=True, top_logprobs=2,
                                       **GREEDY)
    content = r.choices[0].logprobs.content
    assert len(content) == 3 and all(len(t.top_logprobs) == 2 and t.logprob <= 0 for t in content), content


def errors():
    try:
        client.completions.create(model=model, prompt="x " * 5000, max_tokens=2)
        raise AssertionError("a prompt longer than the context was accepted")
    except openai.BadRequestError as e:
        assert e.status_code == 400 and "context" in str(e), e
    try:
        client.completions.create(model="no-such-model", prompt="x", max_tokens=2)
        raise AssertionError("an unknown model was accepted")
    except openai.NotFoundError as e:
        assert e.status_code == 404, e
    try:
        client.completions.create(model=model, prompt="x", max_tokens=2, extra_body={"temperature": "hot"})
        raise AssertionError("a string temperature was accepted")
    except openai.BadRequestError as e:
        assert "temperature" in str(e), e


for name, fn in [("completion", completion), ("several prompts", several_prompts), ("n with a seed", n_with_seed),
                 ("logprobs and echo", logprobs_and_echo), ("stream matches the whole answer", stream_matches_the_whole_answer),
                 ("stop sequence", stop_sequence), ("chat", chat), ("chat content parts, developer role", chat_parts_and_developer_role),
                 ("chat stream", chat_stream), ("chat logprobs", chat_logprobs), ("errors", errors)]:
    check(name, fn)
print("openai", openai.__version__, "failures:", failures)
sys.exit(1 if failures else 0)
