// SPDX-License-Identifier: MIT
// The five benchmark scenarios (drasi-core query-perf's four, with #4 made a real "no change" run,
// plus a 2-hop aggregation), and a check of a query's final result against the model's state.
#pragma once
#include <string>
#include <vector>

#include "bench/building_model.h"
#include "core/model/value.h"

namespace cq::bench {

struct Scenario {
    int number = 0;
    const char* name = "";
    const char* cypher = "";
    UpdateTarget updates = UpdateTarget::Comfort;
};

const std::vector<Scenario>& scenarios();
/// The scenario numbered `number`, or null.
const Scenario* findScenario(int number);

/// Compares `rows` (Engine::currentResults) with what the scenario's query must return for the
/// model's current state. Returns an empty string when they match, else what differs first.
std::string checkResults(const Scenario& scenario, const BuildingModel& model, const std::vector<Map>& rows);

}  // namespace cq::bench
