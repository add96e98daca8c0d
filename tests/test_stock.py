"""Stock (F11, F12): list, search, filters, VIN and price checks, manager-only changes."""

from decimal import Decimal

from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import Vehicle, VehicleStatus
from carflow.services.errors import ServiceError
from carflow.services.stock import normalize_vin, search_vehicles
from tests.factories import make_vehicle

GOOD = {
    "stock_number": "S-900",
    "make": "Skoda",
    "model": "Octavia",
    "version": "Combi",
    "vin": "tmbjj7ne0l0123456",
    "plate": "2-ABC-999",
    "mileage": "12000",
    "fuel": "diesel",
    "gearbox": "automatic",
    "price": "28950.00",
    "status": "in_stock",
}


def _vehicle_count():
    return db.session.scalar(select(func.count()).select_from(Vehicle))


def test_vin_format():
    assert normalize_vin(" wvwzzz1kz-ab123456 ") == "WVWZZZ1KZAB123456"
    assert normalize_vin("") is None
    for bad in ("WVWZZZ1KZAB12345", "WVWZZZ1KZAB1234567", "WVWZZZ1KZOB123456", "WVWZZZ1KZ_B123456"):
        try:
            normalize_vin(bad)
        except ServiceError as error:
            assert error.field == "vin"
        else:
            raise AssertionError(bad)


def test_manager_creates_a_vehicle_with_normalized_vin(client, login_as):
    login_as("sales_manager")
    page = client.get("/admin/stock/new/")
    assert page.status_code == 200 and b'name="vin"' in page.data
    response = client.post("/admin/stock/new/", data=GOOD)
    assert response.status_code == 302
    vehicle = db.session.scalars(select(Vehicle)).one()
    assert vehicle.vin == "TMBJJ7NE0L0123456"
    assert vehicle.price == Decimal("28950.00")
    assert vehicle.status == VehicleStatus.in_stock


def test_bad_vin_and_negative_price_are_refused_and_nothing_stored(client, login_as):
    login_as("sales_manager")
    response = client.post("/admin/stock/new/", data=GOOD | {"vin": "IOQ12345678901234"})
    assert b"never I, O or Q" in response.data
    response = client.post("/admin/stock/new/", data=GOOD | {"price": "-1"})
    assert b"The price cannot be negative." in response.data
    assert _vehicle_count() == 0


def test_salesperson_lists_and_searches_but_cannot_change(client, login_as):
    login_as("salesperson")
    golf = make_vehicle(make="Volkswagen", model="Golf")
    make_vehicle(make="Renault", model="Clio", plate="1-CLI-001")
    page = client.get("/admin/stock/?search=clio")
    assert page.status_code == 200
    assert b"Clio" in page.data and b"Golf" not in page.data
    assert b"/admin/stock/new/" not in page.data
    assert client.get("/admin/stock/new/").status_code in (302, 403)
    response = client.post(f"/admin/stock/edit/?id={golf.id}", data=GOOD)
    assert response.status_code in (302, 403)
    assert db.session.get(Vehicle, golf.id).make == "Volkswagen"
    assert client.post("/admin/stock/new/", data=GOOD).status_code in (302, 403)
    assert _vehicle_count() == 2


def test_filters_by_status_branch_fuel_and_make(client, login_as):
    from carflow.models import Fuel
    from tests.factories import make_branch

    login_as("salesperson")
    make_vehicle(make="Volkswagen", status=VehicleStatus.sold, fuel=Fuel.diesel)
    make_vehicle(make="Renault", fuel=Fuel.electric, branch=make_branch("Ghent"))
    # filter indexes: 0 make contains, 7 status equals, 12 branch contains, 19 fuel equals
    for query, shown, hidden in (
        ("flt0_7=sold", b"Volkswagen", b"Renault"),
        ("flt0_12=Ghent", b"Renault", b"Volkswagen"),
        ("flt0_19=diesel", b"Volkswagen", b"Renault"),
        ("flt0_0=renau", b"Renault", b"Volkswagen"),
    ):
        page = client.get(f"/admin/stock/?{query}")
        assert page.status_code == 200
        assert shown in page.data and hidden not in page.data, query


def test_edit_with_stale_version_is_refused(client, login_as):
    login_as("sales_manager")
    vehicle = make_vehicle()
    page = client.get(f"/admin/stock/edit/?id={vehicle.id}")
    assert f'name="record_version" type="hidden" value="{vehicle.version_id}"'.encode() in page.data
    form = GOOD | {"vin": vehicle.vin, "stock_number": vehicle.stock_number, "record_version": "0"}
    client.post(f"/admin/stock/edit/?id={vehicle.id}", data=form)
    assert db.session.get(Vehicle, vehicle.id).make == "Volkswagen"
    form["record_version"] = str(vehicle.version_id)
    client.post(f"/admin/stock/edit/?id={vehicle.id}", data=form)
    assert db.session.get(Vehicle, vehicle.id).make == "Skoda"


def test_search_endpoint_returns_at_most_twenty(client, login_as):
    login_as("salesperson")
    for _ in range(25):
        make_vehicle(make="Tesla", model="Model 3")
    make_vehicle(make="Dacia", model="Sandero")
    data = client.get("/admin/stock/search?q=tesla 3").get_json()
    assert len(data["results"]) == 20
    assert all("Tesla" in r["label"] for r in data["results"])
    assert client.get("/admin/stock/search?q=").get_json() == {"results": []}
    assert len(search_vehicles("100%")) == 0  # LIKE wildcards are literal


def test_search_endpoint_needs_login(client):
    assert client.get("/admin/stock/search?q=a").status_code == 302
