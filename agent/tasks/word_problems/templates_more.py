"""31 more training templates (15 here, 16 in `templates_extra.py`): unit conversions,
rates, averages, "twice as many" and "n fewer than", each worded at least three ways.

The held-out set (`evals/questions`) has its own scenarios and wording; nothing there is
written from here.
"""

from __future__ import annotations

import random

from agent.tasks.word_problems.stories import Redraw, Story, Template, Trace
from agent.tasks.word_problems.templates import NAMES
from agent.tasks.word_problems.templates_extra import EXTRA_TEMPLATES


def coach_trip(r: random.Random, t: Trace) -> Story:
    school = r.choice(("Hill Street", "Oakwood", "Riverside", "Meadow Lane", "Kingsway"))
    seats, coaches, price = r.choice((40, 45, 50, 52, 56)), r.randint(2, 6), r.randrange(150, 401, 25)
    adults = r.randint(4, 15)
    pupils = seats * coaches - adults
    people = t.add(pupils, adults, "# people go on the trip")
    hired = t.div(people, seats, "# coaches are needed")
    t.mul(hired, price, "the coaches cost £#")
    return Story(
        ((f"{pupils} pupils and {adults} teachers from {school} School go on a trip. Each coach seats {seats} "
          f"people and costs £{price} to hire.", "How much does it cost to hire enough coaches, in pounds?"),
         (f"Coaches with {seats} seats cost £{price} each to hire. {school} School takes {pupils} pupils and "
          f"{adults} teachers to a museum, and every seat is filled.", "What is the total cost of the coaches?"),
         (f"A trip from {school} School needs coaches for {adults} teachers and {pupils} pupils. One coach holds "
          f"{seats} people; hiring one costs £{price}.", "Find the cost of the coaches in pounds.")),
        (f"The museum is {r.randint(20, 90)} km from the school.", f"The trip lasts {r.randint(5, 9)} hours.",
         f"Lunch at the museum costs £{r.randint(3, 8)} a head."))


def bus_passengers(r: random.Random, t: Trace) -> Story:
    start, off1, on1 = r.randint(15, 45), r.randint(2, 12), r.randint(2, 15)
    off2, on2 = r.randint(2, 12), r.randint(1, 10)
    first = t.sub(start, off1, "# passengers stay on at the first stop")
    leaving = t.add(first, on1, "# passengers leave the first stop")
    second = t.sub(leaving, off2, "# passengers stay on at the second stop")
    t.add(second, on2, "# passengers are on the bus")
    return Story(
        ((f"A bus leaves the station with {start} passengers. At the first stop {off1} get off and {on1} get on. "
          f"At the second stop {off2} get off and {on2} get on.", "How many passengers are on the bus now?"),
         (f"{start} people are on a bus. {off1} of them get off at the library and {on1} others get on; at the "
          f"park {off2} get off and {on2} get on.", "What is the number of passengers after the park stop?"),
         (f"At the market stop {off2} passengers get off a bus and {on2} get on. Before that, at the school stop, "
          f"{off1} had got off and {on1} had got on. The bus set off with {start} passengers.",
          "How many are on board after the market stop?")),
        (f"The bus has {r.randint(50, 80)} seats.", f"The driver has driven buses for {r.randint(16, 30)} years.",
         f"The ride to the park takes {r.randint(13, 25)} minutes."))


def fuel_cost(r: random.Random, t: Trace) -> Story:
    name, per_litre, litres = r.choice(NAMES), r.choice((10, 12, 15, 16, 18, 20)), r.randint(3, 40)
    pence = r.choice((140, 145, 150, 155, 160))
    distance = per_litre * litres
    used = t.div(distance, per_litre, "the car uses # litres")
    cost = t.mul(used, pence, "the fuel costs # pence")
    t.div(cost, 100, "the fuel costs £#")
    return Story(
        ((f"{name}'s car goes {per_litre} km on a litre of fuel, and fuel costs {pence}p a litre. {name} drives "
          f"{distance} km.", "How many pounds does the fuel for the drive cost?"),
         (f"Fuel is {pence} pence per litre. {name} drives {distance} km in a car that does {per_litre} km per "
          "litre.", "What does the fuel cost, in pounds?"),
         (f"{name} plans a {distance} km drive. The car covers {per_litre} km for every litre, and each litre "
          f"costs {pence}p.", "Find the cost of the fuel in pounds.")),
        (f"The car's tank holds {r.randint(41, 70)} litres.", f"The car has {r.choice((3, 5))} doors.",
         f"{name} leaves home at {r.randint(6, 9)} in the morning."))


def silo_grain(r: random.Random, t: Trace) -> Story:
    name, start, rate = r.choice(NAMES), r.randint(20, 200), r.randint(5, 25)
    hours, taken = r.randint(3, 9), r.randint(10, 100)
    added = t.mul(rate, hours, "# tonnes are loaded in")
    full = t.add(start, added, "the silo holds # tonnes")
    t.sub(full, taken, "# tonnes are left")
    return Story(
        ((f"A grain silo on {name}'s farm holds {start} tonnes of wheat. A conveyor loads {rate} tonnes an hour "
          f"into it for {hours} hours, then lorries carry away {taken} tonnes.", "How many tonnes are left?"),
         (f"Lorries take {taken} tonnes of barley from a silo after a belt has fed it {rate} tonnes per hour for "
          f"{hours} hours. The silo had {start} tonnes to begin with.", "What weight of barley remains, in tonnes?"),
         (f"At harvest {name} starts with {start} tonnes of oats in the silo and adds {rate} tonnes every hour for "
          f"{hours} hours. Afterwards {taken} tonnes are sold.", "Find how many tonnes stay in the silo.")),
        (f"The silo is {r.randint(12, 30)} m tall.", f"The conveyor cost £{r.randint(800, 3000)}."))


def cinema_seats(r: random.Random, t: Trace) -> Story:
    screens, rows, per_row, empty = r.randint(2, 6), r.randint(8, 20), r.randint(10, 24), r.randint(5, 80)
    per_screen = t.mul(rows, per_row, "each screen has # seats")
    seats = t.mul(screens, per_screen, "the cinema has # seats")
    t.sub(seats, empty, "# seats are taken")
    return Story(
        ((f"A cinema has {screens} screens. Each screen has {rows} rows of {per_row} seats. On Friday night "
          f"{empty} seats are empty and the rest are taken.", "How many seats are taken?"),
         (f"On a Saturday evening {empty} seats are empty across a cinema's {screens} screens. Every screen holds "
          f"{rows} rows with {per_row} seats in each row.", "How many seats have someone in them?"),
         (f"Every screen in a cinema has {per_row} seats in each of its {rows} rows, and there are {screens} "
          f"screens. All but {empty} seats are sold for the premiere.", "What is the number of seats sold?")),
        (f"Tickets cost £{r.randint(6, 14)}.", f"The film lasts {r.randint(95, 160)} minutes.",
         f"The cinema opened {r.randint(25, 60)} years ago."))


def farm_legs(r: random.Random, t: Trace) -> Story:
    name, birds, beasts = r.choice(NAMES), r.choice(("chickens", "ducks", "geese")), r.choice(("sheep", "goats",
                                                                                                "cows", "pigs"))
    two, four = r.randint(5, 40), r.randint(3, 30)
    bird_legs = t.mul(two, 2, f"the {birds} have # legs")
    beast_legs = t.mul(four, 4, f"the {beasts} have # legs")
    t.add(bird_legs, beast_legs, "there are # legs in all")
    return Story(
        ((f"A farm has {two} {birds} and {four} {beasts}.", "How many legs do the animals have in total?"),
         (f"{name} counts the animals in a field: {four} {beasts} and {two} {birds}.",
          "How many legs is that altogether?"),
         (f"There are {two} {birds} in the yard and {four} {beasts} in the barn on {name}'s farm.",
          "Find the total number of legs.")),
        (f"The farm covers {r.randint(41, 200)} hectares.", f"The barn is {r.randint(10, 39)} m long.",
         f"{name} has farmed here for {r.randint(11, 35)} years."))


def family_tickets(r: random.Random, t: Trace) -> Story:
    name, place = r.choice(NAMES), r.choice(("zoo", "aquarium", "castle", "theme park", "science museum"))
    adult, cheaper, adults, children = r.randint(8, 25), r.randint(2, 7), r.randint(2, 4), r.randint(2, 6)
    child = t.sub(adult, cheaper, "a child's ticket costs £#")
    adult_cost = t.mul(adults, adult, "the adult tickets cost £#")
    child_cost = t.mul(children, child, "the children's tickets cost £#")
    t.add(adult_cost, child_cost, "the tickets cost £# in all")
    return Story(
        ((f"An adult ticket to the {place} costs £{adult}, and a child's ticket costs £{cheaper} less. {name} buys "
          f"tickets for {adults} adults and {children} children.", "How much do the tickets cost in total?"),
         (f"{name} takes {children} children and {adults} adults to the {place}. Children pay £{cheaper} less "
          f"than adults, who pay £{adult} each.", "What is the total price of the tickets, in pounds?"),
         (f"Tickets for the {place}: adults £{adult}, children £{cheaper} cheaper. A group of {adults} adults and "
          f"{children} children goes in.", "Find how many pounds the group pays.")),
        (f"The car park holds {r.randint(50, 300)} cars.", f"The {place} has {r.randint(26, 60)} staff.",
         f"The drive there takes {r.randint(35, 90)} minutes."))


def rounds_average(r: random.Random, t: Trace) -> Story:
    name, mean = r.choice(NAMES), r.randint(10, 60)
    first, second = r.randint(mean - 8, mean + 8), r.randint(mean - 8, mean + 8)
    third = 3 * mean - first - second
    if third < 0:
        raise Redraw
    two = t.add(first, second, "the first two rounds score #")
    total = t.add(two, third, "# points are scored in all")
    t.div(total, 3, "the average is # points")
    return Story(
        ((f"{name} scores {first}, {second} and {third} points in three rounds of a quiz.",
          f"What is {name}'s average score per round?"),
         (f"In a three-round archery contest {name} gets {first} points in round one, {second} in round two and "
          f"{third} in round three.", "How many points per round is that on average?"),
         (f"Across three games {name}'s scores were {first}, {second} and {third}.",
          "Find the mean score per game.")),
        (f"{name} has been playing for {r.randint(2, 9)} years.", f"There were {r.randint(70, 99)} other players."))


def temperature_day(r: random.Random, t: Trace) -> Story:
    start, rise, hours, drop = r.randint(2, 15), r.randint(2, 5), r.randint(3, 7), r.randint(2, 10)
    warmer = t.mul(rise, hours, "it warms by # degrees")
    peak = t.add(start, warmer, "the top temperature is # degrees")
    t.sub(peak, drop, "it is # degrees in the evening")
    return Story(
        ((f"Early in the morning it is {start} °C. The temperature rises {rise} degrees every hour for {hours} "
          f"hours, then falls {drop} degrees by evening.", "What is the temperature in the evening, in °C?"),
         (f"The temperature climbs by {rise} °C an hour for {hours} hours, starting from {start} °C at dawn. By "
          f"nightfall it has dropped {drop} °C from its highest point.", "How warm is it at nightfall?"),
         (f"By the evening the air is {drop} degrees cooler than at its warmest. It started at {start} degrees and "
          f"warmed by {rise} degrees per hour for {hours} hours.", "Find the evening temperature in degrees.")),
        (f"The wind blows at {r.randint(16, 40)} km per hour.", f"It rained for {r.randint(16, 50)} minutes at noon."))


def phone_data(r: random.Random, t: Trace) -> Story:
    name, allowance = r.choice(NAMES), r.randrange(2000, 8001, 500)
    per_day, weeks = r.randrange(50, 301, 10), r.randint(2, 4)
    days = t.mul(weeks, 7, "# days pass")
    used = t.mul(days, per_day, "# MB are used")
    t.sub(allowance, used, "# MB are left")
    return Story(
        ((f"{name}'s phone plan gives {allowance} MB of data a month. {name} uses {per_day} MB every day.",
          f"How many MB are left after {weeks} weeks?"),
         (f"Using {per_day} MB of mobile data a day, {name} starts the month with {allowance} MB.",
          f"What is left of the data, in MB, after {weeks} weeks?"),
         (f"For {weeks} weeks {name} streams music and uses {per_day} MB each day from a monthly allowance of "
          f"{allowance} MB.", "How much data remains, in MB?")),
        (f"The plan costs £{r.randint(8, 30)} a month.", f"{name} has {r.randint(30, 90)} apps on the phone.",
         f"The phone's screen is {r.randint(13, 17)} cm tall."))


def water_bill(r: random.Random, t: Trace) -> Story:
    name, per_day, days, price = r.choice(NAMES), r.randrange(100, 801, 50), r.choice((28, 30, 31)), r.randint(2, 5)
    total = t.mul(per_day, days, "the household uses # litres")
    thousands = t.div(total, 1000, "that is # thousand litres")
    t.mul(thousands, price, "the water costs £#")
    return Story(
        ((f"A household uses {per_day} litres of water a day. Water costs £{price} for every 1000 litres.",
          f"What is the water bill for {days} days, in pounds?"),
         (f"Water is charged at £{price} per 1000 litres. {name}'s family uses {per_day} litres each day for "
          f"{days} days.", "How much is the bill?"),
         (f"Over {days} days a flat uses {per_day} litres of water daily, at a price of £{price} per 1000 litres.",
          "Find the cost of the water in pounds.")),
        (f"{r.randint(6, 9)} people live in the house.", f"The boiler is {r.randint(11, 19)} years old."))


def hotel_rooms(r: random.Random, t: Trace) -> Story:
    floors, per_floor = r.randint(5, 12), r.randint(10, 30)
    party_floors, party_rooms, walk_ins = r.randint(2, 4), r.randint(3, 9), r.randint(2, 25)
    party = t.mul(party_floors, party_rooms, "the wedding party takes # rooms")
    booked = t.add(party, walk_ins, "# rooms are booked")
    rooms = t.mul(floors, per_floor, "the hotel has # rooms")
    t.sub(rooms, booked, "# rooms are free")
    return Story(
        ((f"A hotel has {floors} floors with {per_floor} rooms on each. A wedding party books {party_rooms} rooms "
          f"on each of {party_floors} floors, and {walk_ins} more rooms go to guests who walk in.",
          "How many rooms are still free?"),
         (f"Guests without a booking take {walk_ins} rooms at a hotel, and a wedding party has {party_rooms} rooms "
          f"on each of {party_floors} floors. The hotel has {per_floor} rooms per floor over {floors} floors.",
          "What is the number of rooms nobody has taken?"),
         (f"On a busy Saturday {party_floors} of the {floors} floors of a hotel each have {party_rooms} rooms "
          f"booked by a wedding party, and walk-in guests take another {walk_ins}. Every floor has {per_floor} "
          "rooms.", "Find how many rooms are empty.")),
        (f"Breakfast costs £{r.randint(9, 19)}.", f"The hotel is {r.randint(40, 150)} years old."))


def library_bookcases(r: random.Random, t: Trace) -> Story:
    per_shelf, per_case, cases = r.choice((20, 25, 30, 40)), r.randint(3, 6), r.randint(2, 9)
    price, books = r.randrange(40, 121, 5), per_shelf * per_case * cases
    shelves = t.div(books, per_shelf, "# shelves are filled")
    bought = t.div(shelves, per_case, "# bookcases are needed")
    t.mul(bought, price, "the bookcases cost £#")
    return Story(
        ((f"A library gets {books} new books. A shelf holds {per_shelf} books, a bookcase has {per_case} shelves, "
          f"and each bookcase costs £{price}.", "How much do the bookcases for the new books cost?"),
         (f"Each bookcase costs £{price} and has {per_case} shelves, and each shelf takes {per_shelf} books.",
          f"What will it cost, in pounds, to buy bookcases for {books} books with no space left over?"),
         (f"The school library must shelve {books} books, {per_shelf} to a shelf. Bookcases have {per_case} "
          f"shelves and sell for £{price}.", "Find the cost of the bookcases in pounds.")),
        (f"The library is open {r.randint(21, 60)} hours a week.", f"{r.randint(130, 900)} pupils use the library."))


def garden_posts(r: random.Random, t: Trace) -> Story:
    name, side, gap, price = r.choice(NAMES), r.randint(4, 30), r.choice((2, 3, 4, 5)), r.randint(3, 15)
    around = t.mul(side, 4, "the fence is # m long")
    posts = t.div(around, gap, "# posts are needed")
    t.mul(posts, price, "the posts cost £#")
    return Story(
        ((f"A square garden has sides of {side} m. The fence around it needs a post every {gap} m, and posts "
          f"cost £{price} each.", "How much do the posts cost?"),
         (f"Posts cost £{price} each. {name} puts one every {gap} metres along the edge of a square garden {side} "
          "m on each side.", "What do the posts cost in total, in pounds?"),
         (f"{name} is fencing a square vegetable patch. Each side measures {side} m, the posts stand {gap} m apart "
          f"all the way round, and one post costs £{price}.", "Find how much the posts cost.")),
        (f"The garden has {r.randint(6, 12)} apple trees.", f"The gate is {r.randint(80, 120)} cm wide."))


def bakery_dozens(r: random.Random, t: Trace) -> Story:
    name, dozens = r.choice(NAMES), r.randint(2, 15)
    tray, minutes = r.choice((6, 8, 9, 12, 16, 18)), r.choice((12, 15, 18, 20, 25))
    rolls = t.mul(dozens, 12, "# rolls are needed")
    trays = t.div(rolls, tray, "# trays are baked")
    t.mul(trays, minutes, "the baking takes # minutes")
    return Story(
        ((f"A bakery needs {dozens} dozen rolls. A tray holds {tray} rolls and each tray bakes for {minutes} "
          "minutes, one tray at a time.", "How many minutes of baking is that?"),
         (f"One tray at a time goes into a bakery's oven, for {minutes} minutes each. Every tray carries {tray} "
          f"bread rolls, and an order of {dozens} dozen rolls comes in.", "How long does the baking take in minutes?"),
         (f"{name} bakes {dozens} dozen rolls, {tray} on each tray, and each tray is in the oven for {minutes} "
          "minutes. Only one tray fits in the oven.", "What is the total baking time in minutes?")),
        (f"A roll sells for {r.randint(30, 90)}p.", f"The bakery has {r.randint(26, 40)} regular customers."))


MORE_TEMPLATES: tuple[tuple[str, Template], ...] = (
    ("coach-trip", coach_trip), ("bus-passengers", bus_passengers), ("fuel-cost", fuel_cost),
    ("silo-grain", silo_grain), ("cinema-seats", cinema_seats), ("farm-legs", farm_legs),
    ("family-tickets", family_tickets), ("rounds-average", rounds_average), ("temperature-day", temperature_day),
    ("phone-data", phone_data), ("water-bill", water_bill), ("hotel-rooms", hotel_rooms),
    ("library-bookcases", library_bookcases), ("garden-posts", garden_posts), ("bakery-dozens", bakery_dozens),
    *EXTRA_TEMPLATES,
)
