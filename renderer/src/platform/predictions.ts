// Machine health from the models: the latest state per machine on (re)connection, then each new
// prediction from the `predictions` stream. Predictions arrive about once a second per machine.
import { createStore, useStore } from 'zustand';
import type { MachinePredictionState, Prediction } from '../../../native/api/prediction-requests';

export interface PredictionState {
  byMachine: Record<string, MachinePredictionState>;
}

export const predictionStore = createStore<PredictionState>(() => ({ byMachine: {} }));

export function usePrediction(machine: string): MachinePredictionState | undefined {
  return useStore(predictionStore, (s) => s.byMachine[machine]);
}

export const predictionActions = {
  setAll(states: MachinePredictionState[]) {
    predictionStore.setState({ byMachine: Object.fromEntries(states.map((s) => [s.machine, s])) });
  },
  /** A machine's state as an activation answered it (approve, roll back): its new model at once, before its first prediction. */
  setOne(state: MachinePredictionState) {
    predictionStore.setState((s) => ({ byMachine: { ...s.byMachine, [state.machine]: state } }));
  },
  apply(p: Prediction) {
    predictionStore.setState((s) => ({
      byMachine: { ...s.byMachine, [p.machine]: { machine: p.machine, model: p.model, prediction: p, reason: null } },
    }));
  },
};
