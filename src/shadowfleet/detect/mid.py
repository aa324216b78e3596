"""Maritime Identification Digits (MID) -> ISO 3166-1 alpha-2 country of the administration.

Fact source: ITU, "Table of Maritime Identification Digits" (ITU-R M.585, MID allocations published
by the ITU Radiocommunication Bureau, https://www.itu.int/en/ITU-R/terrestrial/fmd/Pages/mid.aspx).
Territories with their own MID map to their own ISO code (Azores and Madeira map to PT, Alaska to US,
the French sub-Antarctic districts to TF); `SOVEREIGN_OF` groups territories with the state that
answers for them, so that a Bermudan MID is not a "mismatch" with a British flag.

A ship station MMSI is nine digits, MIDxxxxxx (ITU-R M.585); other formats (coast stations 00MID...,
SAR aircraft 111MID..., aids to navigation 99MID..., craft 98MID..., SART/MOB/EPIRB 97x...) carry the
MID elsewhere or not at all, and are not ship identities: `mid_of_mmsi` returns -1 for them.
"""

import numpy as np

# fmt: off
MID_TO_ISO2: dict[int, str] = {
    201: "AL", 202: "AD", 203: "AT", 204: "PT", 205: "BE", 206: "BY", 207: "BG", 208: "VA", 209: "CY",
    210: "CY", 211: "DE", 212: "CY", 213: "GE", 214: "MD", 215: "MT", 216: "AM", 218: "DE", 219: "DK",
    220: "DK", 224: "ES", 225: "ES", 226: "FR", 227: "FR", 228: "FR", 229: "MT", 230: "FI", 231: "FO",
    232: "GB", 233: "GB", 234: "GB", 235: "GB", 236: "GI", 237: "GR", 238: "HR", 239: "GR", 240: "GR",
    241: "GR", 242: "MA", 243: "HU", 244: "NL", 245: "NL", 246: "NL", 247: "IT", 248: "MT", 249: "MT",
    250: "IE", 251: "IS", 252: "LI", 253: "LU", 254: "MC", 255: "PT", 256: "MT", 257: "NO", 258: "NO",
    259: "NO", 261: "PL", 262: "ME", 263: "PT", 264: "RO", 265: "SE", 266: "SE", 267: "SK", 268: "SM",
    269: "CH", 270: "CZ", 271: "TR", 272: "UA", 273: "RU", 274: "MK", 275: "LV", 276: "EE", 277: "LT",
    278: "SI", 279: "RS",
    301: "AI", 303: "US", 304: "AG", 305: "AG", 306: "CW", 307: "AW", 308: "BS", 309: "BS", 310: "BM",
    311: "BS", 312: "BZ", 314: "BB", 316: "CA", 319: "KY", 321: "CR", 323: "CU", 325: "DM", 327: "DO",
    329: "GP", 330: "GD", 331: "GL", 332: "GT", 334: "HN", 336: "HT", 338: "US", 339: "JM", 341: "KN",
    343: "LC", 345: "MX", 347: "MQ", 348: "MS", 350: "NI", 351: "PA", 352: "PA", 353: "PA", 354: "PA",
    355: "PA", 356: "PA", 357: "PA", 358: "PR", 359: "SV", 361: "PM", 362: "TT", 364: "TC", 366: "US",
    367: "US", 368: "US", 369: "US", 370: "PA", 371: "PA", 372: "PA", 373: "PA", 374: "PA", 375: "VC",
    376: "VC", 377: "VC", 378: "VG", 379: "VI",
    401: "AF", 403: "SA", 405: "BD", 408: "BH", 410: "BT", 412: "CN", 413: "CN", 414: "CN", 416: "TW",
    417: "LK", 419: "IN", 422: "IR", 423: "AZ", 425: "IQ", 428: "IL", 431: "JP", 432: "JP", 434: "TM",
    436: "KZ", 437: "UZ", 438: "JO", 440: "KR", 441: "KR", 443: "PS", 445: "KP", 447: "KW", 450: "LB",
    451: "KG", 453: "MO", 455: "MV", 457: "MN", 459: "NP", 461: "OM", 463: "PK", 466: "QA", 468: "SY",
    470: "AE", 471: "AE", 472: "TJ", 473: "YE", 475: "YE", 477: "HK", 478: "BA",
    501: "TF", 503: "AU", 506: "MM", 508: "BN", 510: "FM", 511: "PW", 512: "NZ", 514: "KH", 515: "KH",
    516: "CX", 518: "CK", 520: "FJ", 523: "CC", 525: "ID", 529: "KI", 531: "LA", 533: "MY", 536: "MP",
    538: "MH", 540: "NC", 542: "NU", 544: "NR", 546: "PF", 548: "PH", 550: "TL", 553: "PG", 555: "PN",
    557: "SB", 559: "AS", 561: "WS", 563: "SG", 564: "SG", 565: "SG", 566: "SG", 567: "TH", 570: "TO",
    572: "TV", 574: "VN", 576: "VU", 577: "VU", 578: "WF",
    601: "ZA", 603: "AO", 605: "DZ", 607: "TF", 608: "SH", 609: "BI", 610: "BJ", 611: "BW", 612: "CF",
    613: "CM", 615: "CG", 616: "KM", 617: "CV", 618: "TF", 619: "CI", 620: "KM", 621: "DJ", 622: "EG",
    624: "ET", 625: "ER", 626: "GA", 627: "GH", 629: "GM", 630: "GW", 631: "GQ", 632: "GN", 633: "BF",
    634: "KE", 635: "TF", 636: "LR", 637: "LR", 638: "SS", 642: "LY", 644: "LS", 645: "MU", 647: "MG",
    649: "ML", 650: "MZ", 654: "MR", 655: "MW", 656: "NE", 657: "NG", 659: "NA", 660: "RE", 661: "RW",
    662: "SD", 663: "SN", 664: "SC", 665: "SH", 666: "SO", 667: "SL", 668: "ST", 669: "SZ", 670: "TD",
    671: "TG", 672: "TN", 674: "TZ", 675: "UG", 676: "CD", 677: "TZ", 678: "ZM", 679: "ZW",
    701: "AR", 710: "BR", 720: "BO", 725: "CL", 730: "CO", 735: "EC", 740: "FK", 745: "GF", 750: "GY",
    755: "PY", 760: "PE", 765: "SR", 770: "UY", 775: "VE",
}

# Territories -> the state that answers for them (for "does the MID contradict the flag" only).
SOVEREIGN_OF: dict[str, str] = {
    "FO": "DK", "GL": "DK",
    "GI": "GB", "AI": "GB", "BM": "GB", "KY": "GB", "MS": "GB", "TC": "GB", "VG": "GB", "PN": "GB",
    "SH": "GB", "FK": "GB",
    "CW": "NL", "AW": "NL", "SX": "NL", "BQ": "NL",
    "GP": "FR", "MQ": "FR", "PM": "FR", "NC": "FR", "PF": "FR", "WF": "FR", "RE": "FR", "GF": "FR",
    "TF": "FR",
    "PR": "US", "VI": "US", "MP": "US", "AS": "US", "GU": "US",
    "HK": "CN", "MO": "CN",
    "CX": "AU", "CC": "AU",
    "CK": "NZ", "NU": "NZ",
}
# fmt: on

_LOOKUP = np.full(1000, "", dtype=object)
for _mid, _iso in MID_TO_ISO2.items():
    _LOOKUP[_mid] = _iso


def mid_of_mmsi(mmsi: np.ndarray) -> np.ndarray:
    """MID of ship-station MMSIs (nine digits, first digit 2-7); -1 where the MMSI is no ship station."""
    values = np.asarray(mmsi, dtype=np.int64)
    is_ship = (values >= 200_000_000) & (values < 800_000_000)
    return np.where(is_ship, values // 1_000_000, -1)


def country_of_mmsi(mmsi: np.ndarray) -> np.ndarray:
    """ISO alpha-2 of each MMSI's MID (object array), None where the MID is unallocated or absent."""
    mids = mid_of_mmsi(mmsi)
    out = np.full(len(mids), None, dtype=object)
    known = mids >= 0
    codes = _LOOKUP[np.where(known, mids, 0)]
    hit = known & (codes != "")
    out[hit] = codes[hit]
    return out


def sovereign(iso2: str) -> str:
    """The state answering for a territory code, or the code itself."""
    return SOVEREIGN_OF.get(iso2, iso2)
