-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk script: POSTs a small non-streaming chat completion request (model bench-model).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"bench-model","messages":[{"role":"user","content":"Say hello in five words."}],"max_tokens":16}'
