"""Health and readiness checks."""


def test_healthz_answers(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_when_redis_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["redis"] == "up"


def test_readyz_when_redis_is_down(make_app, tmp_path):
    app = make_app(REDIS_URL=f"unix://{tmp_path}/none.sock", REDIS_SOCKET_TIMEOUT_SECONDS=0.5)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["redis"] == "down"
