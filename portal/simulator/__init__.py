"""The web shell around the alarm-chain engine: CLI now; the demo and exercises come later."""
