#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The screenshots' local model servers, on one loopback port, so the demo shows live states that
came from real traffic through Tarn rather than from seeded text:

  /ollama/v1/...    answers chat completions (plain and streamed) after a short think
  /lmstudio/v1/...  is rate limited: 429 with Retry-After (Tarn cools the channel down)
  /vllm/v1/...      rejects the key: 401 (Tarn disables the channel and says so in a notification)

Every path also lists its model at /v1/models. Prints the port it listens on, then serves until
killed. Standard library only.
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "qwen3:8b"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.endswith("/models"):
            self.send_json(200, {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "local"}]})
        else:
            self.send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        if self.path.startswith("/lmstudio/"):
            self.send_json(429, {"error": {"message": "Too many requests: the model is busy, try again in 15 minutes",
                                           "type": "rate_limit_exceeded"}}, [("Retry-After", "900")])
            return
        if self.path.startswith("/vllm/"):
            self.send_json(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                                           "code": "invalid_api_key"}})
            return
        if not self.path.startswith("/ollama/") or not self.path.endswith("/chat/completions"):
            self.send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
            return
        time.sleep(0.35)  # a local model thinks a little
        text = "Tarn pools every key behind one endpoint."
        usage = {"prompt_tokens": 412, "completion_tokens": 11, "total_tokens": 423}
        if not request.get("stream"):
            self.send_json(200, {"id": "chatcmpl-demo", "object": "chat.completion", "created": int(time.time()),
                                 "model": MODEL, "usage": usage,
                                 "choices": [{"index": 0, "finish_reason": "stop",
                                              "message": {"role": "assistant", "content": text}}]})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def chunk(payload):
            data = b"data: " + payload.encode() + b"\n\n"
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        for word in text.split(" "):
            chunk(json.dumps({"id": "chatcmpl-demo", "object": "chat.completion.chunk", "model": MODEL,
                              "choices": [{"index": 0, "delta": {"content": word + " "}}]}))
            time.sleep(0.03)
        chunk(json.dumps({"id": "chatcmpl-demo", "object": "chat.completion.chunk", "model": MODEL,
                          "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": usage}))
        chunk("[DONE]")
        self.wfile.write(b"0\r\n\r\n")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
