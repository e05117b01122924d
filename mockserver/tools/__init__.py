"""Tools around the mock: `mockserver verify` (a real service against the contract),
`mockserver proxy` (a validating proxy), and the pytest plugin (fixtures for consumers'
tests). They may import every other wing; nothing imports them but the CLI and pytest.
"""
