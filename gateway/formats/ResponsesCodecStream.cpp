// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/ResponsesCodecInternal.h"

// SKELETON: to be written (issue 10).
namespace tarn::gateway::responses {

namespace {

class Decoder final : public StreamDecoder
{
public:
    void decode(std::string_view, std::string_view, std::vector<ir::StreamEvent> &) override {}
    void end(std::vector<ir::StreamEvent> &) override {}
};

class Encoder final : public StreamEncoder
{
public:
    void encode(const ir::StreamEvent &, std::string &) override {}
    void end(std::string &) override {}
};

} // namespace

std::unique_ptr<StreamDecoder> newStreamDecoder()
{
    return std::make_unique<Decoder>();
}

std::unique_ptr<StreamEncoder> newStreamEncoder(const StreamEncoderOptions &options)
{
    Q_UNUSED(options);
    return std::make_unique<Encoder>();
}

} // namespace tarn::gateway::responses
