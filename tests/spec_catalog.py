"""A small electronics catalog shaped like Icecat (numbers, yes/no and text attributes, sizes
stated in titles) for the specification tests; deterministic, no files."""

from __future__ import annotations

from decimal import Decimal

from shopchat.records import Catalog, LoadReport, Product

MONITOR_SIZES = (21.5, 24, 24, 27, 27, 27, 32, 24, 21.5, 27, 24, 32)
NOTEBOOK_RAM = (8, 16, 16, 32, 8, 16, 4, 8, 16, 32, 8, 16)
FLASH_SIZES = (8, 16, 16, 32, 64, 16, 128, 32)


def _product(pid: str, title: str, brand: str, price: float, **attributes: object) -> Product:
    return Product(id=pid, title=title, brand=brand, price=Decimal(str(price)),
                   attributes={k: str(v) for k, v in attributes.items()})


def spec_products() -> list[Product]:
    out: list[Product] = []
    for i, size in enumerate(MONITOR_SIZES):
        brand = ("AOC", "DELL", "HP")[i % 3]
        cm = round(size * 2.54, 1)
        out.append(_product(
            f"mon{i}", f'{brand} M{i}00 computer monitor {cm} cm ({size:g}") 1920 x 1080 pixels '
            "Full HD LED Black", brand, 99 + 20 * i,
            display_diagonal=f"{size:g}", hdmi="no" if i % 4 == 3 else "yes",
            panel_type="IPS" if i % 2 else "TN", product_colour="Black"))
    for i, ram in enumerate(NOTEBOOK_RAM):
        brand = ("Lenovo", "HP", "Acer")[i % 3]
        size = (14, 15.6, 13.3)[i % 3]
        ssd = (256, 512, 1000)[i % 3]
        out.append(_product(
            f"nb{i}", f'{brand} Book {i} Notebook Gray {round(size * 2.54, 1)} cm ({size:g}") '
            f"Intel Core i5 {ram} GB RAM {ssd} GB SSD Wi-Fi 5", brand, 499 + 50 * i,
            display_diagonal=f"{size:g}", internal_memory=ram, total_storage_capacity=ssd,
            ssd_capacity=ssd, bluetooth="yes" if i % 3 else "no", wi_fi="yes"))
    for i, capacity in enumerate(FLASH_SIZES):
        out.append(_product(
            f"usb{i}", f"Integral EVO USB flash drive {capacity} GB USB Type-A 2.0 Blue",
            "Integral", 5 + capacity / 4, capacity=capacity, product_colour="Blue"))
    for i, gb in enumerate((1, 2, 4, 8, 16)):
        out.append(_product(
            f"ram{i}", f"Kingston {gb}GB memory module DDR4 2400 MHz", "Kingston", 10 + 5 * gb,
            internal_memory=gb * 1024))  # stored in MB, as Icecat does for memory modules
    for i, fits in enumerate((13.3, 14, 14, 15.6, 17.3)):
        out.append(_product(
            f"case{i}", f'Targus notebook case {round(fits * 2.54, 1)} cm ({fits:g}") Black',
            "Targus", 25 + i, maximum_screen_size_compatibility=f"{fits:g}"))
    for i, metres in enumerate((1, 2, 2, 3, 5)):
        out.append(_product(f"cab{i}", f"Sandberg HDMI cable {metres} m Black", "Sandberg",
                            5 + metres, cable_length=metres))
    for i in range(6):
        bt = i % 2 == 0
        out.append(_product(
            f"hp{i}", f"Philips SH{i} {'Bluetooth ' if bt else ''}stereo headphones Black",
            "Philips", 19 + 10 * i, **({"bluetooth": "yes" if bt else "no"} if i < 4 else {})))
    return out


def spec_catalog(name: str = "specs") -> Catalog:
    products = spec_products()
    return Catalog(name, products, [], LoadReport(source="tests", rows_read=len(products),
                                                  loaded=len(products)))
