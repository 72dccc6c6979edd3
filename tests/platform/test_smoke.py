async def test_healthz(registry):
    r = await registry.get("/healthz")
    assert r.status_code == 200
