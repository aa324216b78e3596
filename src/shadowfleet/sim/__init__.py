"""Simulated AIS: a labelled Venezuela scenario on real sea lanes, and a fast bulk generator.

Public API:
  ScenarioConfig, venezuela_preset            -- shadowfleet.sim.scenario
  scenario_to_tables, write_scenario          -- shadowfleet.sim.output
  generate_positions, generate_bulk           -- shadowfleet.sim.bulk
  match_events, match_event_pairs             -- shadowfleet.sim.evaluate
Every record it makes is marked simulated; vessel names and identities are fictional.
"""
