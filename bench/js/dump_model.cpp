// SPDX-License-Identifier: MIT
// Ad hoc helper for check_model.mjs: prints the native building model's first changes as JSON
// lines (changeToJson), bootstrap first, then updates. Not part of the CMake build; compiled by
// check_model.mjs against the native tree's static libraries (build/native).
//   dump_model ROOMS BOOTSTRAP_COUNT UPDATE_COUNT comfort|note
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/building_model.h"
#include "core/model/json.h"

int main(int argc, char** argv) {
    if (argc < 5) return 2;
    cq::bench::ModelConfig mc;
    mc.buildings = std::atoll(argv[1]) / (mc.floorsPerBuilding * mc.roomsPerFloor);
    cq::bench::BuildingModel model(mc);
    long long boot = std::atoll(argv[2]), updates = std::atoll(argv[3]);
    auto target = std::string(argv[4]) == "note" ? cq::bench::UpdateTarget::Note : cq::bench::UpdateTarget::Comfort;
    std::vector<cq::Change> out;
    for (;;) {
        size_t before = out.size();
        if (model.nextBootstrap(out, 1000) == 0) break;
        (void)before;
    }
    for (long long i = 0; i < boot && i < (long long)out.size(); ++i)
        std::printf("%s\n", cq::changeToJson(out[size_t(i)]).dump().c_str());
    for (long long i = 0; i < updates; ++i)
        std::printf("%s\n", cq::changeToJson(model.nextUpdate(target)).dump().c_str());
    return 0;
}
