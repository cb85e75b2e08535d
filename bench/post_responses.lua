-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk script: POSTs a small non-streaming OpenAI Responses API request (model bench-model) to the
-- URL given (Tarn's /v1/responses, translated to the OpenAI Chat channel); the same conversation
-- as post.lua.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"bench-model","max_output_tokens":16,"store":false,"input":"Say hello in five words."}'
