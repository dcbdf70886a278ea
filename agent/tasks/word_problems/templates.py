"""The 27 training templates: one scenario each, several phrasings, a few distractor facts.

The held-out set (`evals/questions`) has its own scenarios and wording; nothing there is
written from here.
"""

from __future__ import annotations

import random

from agent.tasks.word_problems.stories import Story, Template, Trace

NAMES = ("Ava", "Ben", "Carla", "Dev", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jack",
         "Kofi", "Lena", "Maya", "Noah", "Omar", "Priya", "Ravi", "Sofia", "Tom", "Zara")
PERCENT_DIVISOR = {10: 10, 25: 4, 50: 2}  # n% of x is x ÷ divisor: one integer step


def shop_change(r: random.Random, t: Trace) -> Story:
    name, item = r.choice(NAMES), r.choice(("notebooks", "pens", "mugs", "candles", "plant pots"))
    n, price, note = r.randint(2, 9), r.randint(2, 12), r.choice((20, 50, 100))
    cost = t.mul(n, price, f"the {item} cost £#")
    t.sub(note, cost, f"{name} gets £# in change")
    return Story(
        ((f"{name} buys {n} {item} at £{price} each and pays with a £{note} note.",
          f"How much change does {name} get, in pounds?"),
         (f"At a market stall {item} cost £{price} each. {name} takes {n} of them and hands over £{note}.",
          "How many pounds should come back as change?")),
        (f"The stall has been open for {r.randint(3, 20)} years.",
         f"There were {r.randint(3, 9)} people in the queue."))


def shop_two_items(r: random.Random, t: Trace) -> Story:
    name = r.choice(NAMES)
    a, pa, b, pb = r.randint(2, 6), r.randint(2, 9), r.randint(2, 6), r.randint(2, 9)
    note = r.choice((50, 100))
    loaves = t.mul(a, pa, "the loaves cost £#")
    cheeses = t.mul(b, pb, "the cheeses cost £#")
    total = t.add(loaves, cheeses, "the shopping costs £#")
    t.sub(note, total, f"{name} receives £# in change")
    return Story(
        ((f"{name} buys {a} loaves at £{pa} each and {b} cheeses at £{pb} each, paying with a £{note} note.",
          "How much change, in pounds, does the shopkeeper give back?"),
         (f"Loaves cost £{pa} and cheeses cost £{pb}. {name} picks {a} loaves and {b} cheeses and pays £{note}.",
          f"What is {name}'s change in pounds?")),
        (f"The deli sells {r.randint(10, 40)} kinds of cheese.", f"{name} walked {r.randint(2, 5)} km to the deli."))


def trip_two_legs(r: random.Random, t: Trace) -> Story:
    name = r.choice(NAMES)
    h1, v1, h2, v2 = r.randint(2, 4), r.choice((40, 50, 60, 70)), r.randint(2, 3), r.choice((30, 45, 80, 90))
    d1 = t.mul(h1, v1, "the first part is # km")
    d2 = t.mul(h2, v2, "the second part is # km")
    t.add(d1, d2, f"{name} drives # km in all")
    return Story(
        ((f"{name} drives for {h1} hours at {v1} km per hour, then for {h2} hours at {v2} km per hour.",
          "How many kilometres is that altogether?"),
         (f"On a road trip {name} keeps to {v1} km an hour for {h1} hours and afterwards to {v2} km an hour "
          f"for {h2} hours.", "What is the total distance in km?")),
        (f"The car is {r.randint(3, 12)} years old.", f"{name} stopped for fuel {r.randint(2, 4)} times."))


def walk_minutes(r: random.Random, t: Trace) -> Story:
    name, speed, minutes = r.choice(NAMES), r.randint(3, 6), r.choice((120, 180, 240))
    hours = t.div(minutes, 60, "the walk to the lake takes # hours")
    there = t.mul(hours, speed, "the lake is # km away")
    t.mul(there, 2, f"{name} walks # km there and back")
    return Story(
        ((f"{name} walks to a lake at {speed} km per hour and the walk there takes {minutes} minutes. "
          f"{name} comes back the same way at the same speed.", "How many kilometres is the walk there and back?"),
         (f"Walking at {speed} km an hour, {name} needs {minutes} minutes to reach a lake, then returns by "
          "the same path.", "How far does that make in kilometres, counting both ways?")),
        (f"{name} carries a bag that weighs {r.randint(2, 9)} kg.", f"The lake has {r.randint(3, 12)} ducks on it."))


def work_per_hour(r: random.Random, t: Trace) -> Story:
    name, rate, hours, days = r.choice(NAMES), r.randint(5, 30), r.randint(3, 8), r.randint(2, 6)
    per_day = t.mul(rate, hours, f"{name} packs # parcels a day")
    t.mul(per_day, days, f"{name} packs # parcels in {days} days")
    return Story(
        ((f"{name} packs {rate} parcels an hour and works {hours} hours a day.",
          f"How many parcels does {name} pack in {days} days?"),
         (f"In a warehouse, {name} can pack {rate} parcels every hour. Each shift is {hours} hours long.",
          f"How many parcels get packed over {days} shifts?")),
        (f"The warehouse has {r.randint(4, 20)} loading doors.",
         f"{name} takes the bus {r.randint(2, 9)} stops to work."))


def practice_hours(r: random.Random, t: Trace) -> Story:
    name, minutes, days = r.choice(NAMES), r.choice((15, 20, 30, 40, 45)), r.randint(2, 12)
    total = t.mul(days, minutes, f"{name} practises for # minutes")
    t.div(total, 60, "that is # hours")
    return Story(
        ((f"{name} practises the piano for {minutes} minutes every day for {days} days.",
          "How many hours is that in total?"),
         (f"For {days} days in a row {name} spends {minutes} minutes a day on piano practice.",
          "How many hours of practice is that?")),
        (f"The piano has {r.choice((61, 76, 88))} keys.", f"{name} is learning {r.randint(2, 6)} new pieces."))


def ribbon_pieces(r: random.Random, t: Trace) -> Story:
    metres, piece, used = r.randint(2, 6), r.choice((10, 20, 25, 50)), r.randint(1, 9)
    cm = t.mul(metres, 100, "the ribbon is # cm long")
    pieces = t.div(cm, piece, "there are # pieces")
    t.sub(pieces, used, "# pieces are left")
    return Story(
        ((f"A ribbon {metres} m long is cut into pieces of {piece} cm each. {used} pieces are used to wrap gifts.",
          "How many pieces are left?"),
         (f"Someone cuts {metres} metres of ribbon into {piece} cm lengths and ties {used} of them onto presents.",
          "How many lengths remain unused?")),
        (f"The ribbon cost £{r.randint(2, 9)}.", f"There are {r.randint(3, 12)} presents under the tree."))


def pence_change(r: random.Random, t: Trace) -> Story:
    name, n, pence, note = r.choice(NAMES), r.randint(2, 20), r.choice((20, 25, 50)), r.choice((5, 10, 20))
    total = t.mul(n, pence, "the stickers cost # pence")
    pounds = t.div(total, 100, "that is £#")
    t.sub(note, pounds, f"{name} gets £# back")
    return Story(
        ((f"{name} buys {n} stickers at {pence} pence each and pays with a £{note} note.",
          "How many pounds of change does that leave?"),
         (f"Stickers are {pence}p each. {name} buys {n} of them with a £{note} note.",
          f"How much change, in whole pounds, does {name} get?")),
        (f"{name} already owns {r.randint(10, 90)} stickers.", f"The sticker album has {r.randint(20, 60)} pages."))


def share_equally(r: random.Random, t: Trace) -> Story:
    name, bags, per_bag = r.choice(NAMES), r.randint(2, 6), r.randint(6, 20)
    keep, friends = r.randint(1, 8), r.randint(2, 6)
    total = t.mul(bags, per_bag, f"{name} has # sweets")
    rest = t.sub(total, keep, "# sweets are shared")
    t.div(rest, friends, "each friend gets # sweets")
    return Story(
        ((f"{name} has {bags} bags with {per_bag} sweets in each, keeps {keep} sweets and shares the rest equally "
          f"among {friends} friends.", "How many sweets does each friend get?"),
         (f"There are {per_bag} sweets in each of {name}'s {bags} bags. After keeping {keep}, {name} splits the "
          f"others evenly between {friends} friends.", "How many does each friend receive?")),
        (f"{name}'s birthday is in {r.randint(2, 11)} months.", f"The sweets come in {r.randint(3, 6)} flavours."))


def percent_discount(r: random.Random, t: Trace) -> Story:
    name, item = r.choice(NAMES), r.choice(("jacket", "lamp", "kettle", "backpack", "rug"))
    price, pct, n = r.randrange(20, 201, 20), r.choice(tuple(PERCENT_DIVISOR)), r.randint(1, 3)
    off = t.div(price, PERCENT_DIVISOR[pct], f"{pct}% of £{price} is £#")
    sale = t.sub(price, off, f"one {item} costs £# in the sale")
    what = f"one {item}"
    if n > 1:
        what = f"{n} of them"
        t.mul(n, sale, f"{n} cost £#")
    return Story(
        ((f"A {item} costs £{price}. In a sale it is {pct}% off.", f"How many pounds does {name} pay for {what}?"),
         (f"The price of a {item} is £{price}, and this week everything is reduced by {pct}%.",
          f"What does {what} cost {name} in the sale, in pounds?")),
        (f"The sale lasts {r.randint(3, 14)} days.", f"The shop has {r.randint(2, 6)} floors."))


def percent_of_group(r: random.Random, t: Trace) -> Story:
    pct, members = r.choice(tuple(PERCENT_DIVISOR)), r.randrange(20, 201, 4)
    part = t.div(members, PERCENT_DIVISOR[pct], f"{pct}% of {members} is # members")
    t.sub(members, part, "# members are not under ten")
    return Story(
        ((f"A chess club has {members} members and {pct}% of them are under ten years old.",
          "How many members are not under ten?"),
         (f"Of the {members} people in a chess club, {pct}% are younger than ten.",
          "How many of them are ten or older?")),
        (f"The club meets {r.randint(2, 5)} times a week.", f"The club owns {r.randint(6, 30)} chess sets."))


def age_times(r: random.Random, t: Trace) -> Story:
    name, age, times, years = r.choice(NAMES), r.randint(6, 12), r.randint(3, 5), r.randint(2, 10)
    aunt = t.mul(age, times, "the aunt is # now")
    t.add(aunt, years, f"the aunt will be # in {years} years")
    return Story(
        ((f"{name} is {age} years old. {name}'s aunt is {times} times as old.",
          f"How old will the aunt be in {years} years?"),
         (f"{name}'s aunt is {times} times {name}'s age, and {name} is {age}.",
          f"What age will the aunt be {years} years from now?")),
        (f"{name} has {r.randint(2, 5)} cousins.", f"The aunt lives {r.randint(5, 90)} km away."))


def age_sum(r: random.Random, t: Trace) -> Story:
    name, age, gap, years = r.choice(NAMES), r.randint(3, 14), r.randint(2, 9), r.randint(2, 10)
    brother = t.add(age, gap, "the brother is # now")
    later = t.add(age, years, f"{name} will be #")
    brother_later = t.add(brother, years, "the brother will be #")
    t.add(later, brother_later, "their ages will add up to #")
    return Story(
        ((f"{name} is {age} and {name}'s brother is {gap} years older.",
          f"In {years} years, what will their ages add up to?"),
         (f"{name}'s brother was born {gap} years before {name}, who is {age} today.",
          f"What will the sum of their two ages be {years} years from now?")),
        (f"Their dog is {r.randint(2, 9)} years old.", f"{name} is in class {r.randint(2, 6)}."))


def compare_reading(r: random.Random, t: Trace) -> Story:
    a, b = r.sample(NAMES, 2)
    fast, slow, days = r.randint(15, 40), r.randint(5, 14), r.randint(3, 9)
    pages_a = t.mul(fast, days, f"{a} reads # pages")
    pages_b = t.mul(slow, days, f"{b} reads # pages")
    t.sub(pages_a, pages_b, f"{a} reads # more pages")
    return Story(
        ((f"{a} reads {fast} pages a day and {b} reads {slow} pages a day.",
          f"After {days} days, how many more pages has {a} read than {b}?"),
         (f"Every day {a} gets through {fast} pages while {b} manages {slow}.",
          f"How many pages ahead of {b} is {a} after {days} days?")),
        (f"{b}'s book has a {r.choice(('red', 'blue', 'green'))} cover and {r.randint(9, 30)} chapters.",
         f"{a} has {r.randint(2, 8)} library cards."))


def compare_fewer(r: random.Random, t: Trace) -> Story:
    a, b = r.sample(NAMES, 2)
    count, fewer = r.randint(12, 60), r.randint(2, 11)
    other = t.sub(count, fewer, f"{b} has # marbles")
    t.add(count, other, "together they have # marbles")
    return Story(
        ((f"{a} has {count} marbles. {b} has {fewer} fewer than {a}.", "How many marbles do they have together?"),
         (f"{b} owns {fewer} marbles fewer than {a}, and {a} owns {count}.",
          "How many marbles do the two of them own altogether?")),
        (f"{a} keeps the marbles in a tin that is {r.randint(5, 20)} cm tall.",
         f"{b} is {r.randint(7, 12)} years old."))


def packs_total(r: random.Random, t: Trace) -> Story:
    a, x, b, y = r.randint(2, 9), r.choice((6, 8, 10, 12)), r.randint(2, 9), r.choice((5, 10, 24))
    pencils = t.mul(a, x, "there are # pencils")
    crayons = t.mul(b, y, "there are # crayons")
    t.add(pencils, crayons, "there are # pencils and crayons in all")
    return Story(
        ((f"A teacher buys {a} packs of {x} pencils and {b} packs of {y} crayons.",
          "How many pencils and crayons is that altogether?"),
         (f"For the classroom there are {a} packs holding {x} pencils each and {b} packs holding {y} crayons each.",
          "How many pencils and crayons are there in total?")),
        (f"The class has {r.randint(18, 32)} pupils.", f"The packs cost £{r.randint(2, 9)} each."))


def savings_total(r: random.Random, t: Trace) -> Story:
    name, per_week, weeks = r.choice(NAMES), r.randint(2, 15), r.randint(3, 12)
    start, spend = r.randint(0, 30), r.randint(5, 40)
    saved = t.mul(per_week, weeks, f"{name} saves £#")
    total = t.add(saved, start, f"{name} has £#")
    t.sub(total, spend, "£# is left")
    return Story(
        ((f"{name} has £{start} and saves £{per_week} every week for {weeks} weeks, then spends £{spend} on a game.",
          "How many pounds are left?"),
         (f"Starting with £{start}, {name} puts away £{per_week} a week for {weeks} weeks and then buys a game for "
          f"£{spend}.", f"How much money does {name} have left, in pounds?")),
        (f"{name}'s piggy bank is {r.randint(10, 30)} cm tall.", f"The game has {r.randint(8, 40)} levels."))


def savings_weeks(r: random.Random, t: Trace) -> Story:
    name, per_week, weeks, start = r.choice(NAMES), r.randint(3, 20), r.randint(2, 15), r.randint(0, 50)
    price = start + per_week * weeks
    need = t.sub(price, start, f"{name} still needs £#")
    t.div(need, per_week, "it takes # weeks")
    return Story(
        ((f"{name} wants a bike that costs £{price}, has £{start} already and saves £{per_week} a week.",
          "How many weeks until there is enough?"),
         (f"A bike costs £{price}. {name} has saved £{start} so far and adds £{per_week} each week.",
          f"How many more weeks must {name} save?")),
        (f"The bike has {r.choice((3, 7, 21))} gears.", f"{name} rides {r.randint(2, 9)} km to school."))


def recipe_scale(r: random.Random, t: Trace) -> Story:
    serves, factor = r.randint(2, 6), r.randint(2, 5)
    lentils, onion = r.randrange(100, 401, 50), r.randrange(50, 201, 25)
    people = serves * factor
    scale = t.div(people, serves, "the recipe is made # times over")
    grams = t.mul(scale, lentils, "# g of lentils are needed")
    facts = f"A soup recipe for {serves} people uses {lentils} g of lentils"
    if r.random() < 0.5:
        return Story(((f"{facts}.", f"How many grams of lentils are needed for {people} people?"),
                      (f"{facts}, and the soup is being made for {people} people.",
                       "How many grams of lentils are needed?")),
                     (f"The pot holds {r.randint(3, 9)} litres.", f"The soup simmers for {r.randint(20, 50)} minutes."))
    onions = t.mul(scale, onion, "# g of onion are needed")
    t.add(grams, onions, "# g of lentils and onion are needed")
    return Story(
        ((f"{facts} and {onion} g of onion.", f"For {people} people, how many grams of lentils and onion are needed?"),
         (f"{facts} and {onion} g of onion. It is made for {people} people.",
          "How many grams of lentils and onion go in altogether?")),
        (f"The pot holds {r.randint(3, 9)} litres.", f"The soup simmers for {r.randint(20, 50)} minutes."))


def rect_area_cost(r: random.Random, t: Trace) -> Story:
    length, width, price = r.randint(3, 12), r.randint(2, 9), r.randint(5, 30)
    area = t.mul(length, width, "the floor is # square metres")
    t.mul(area, price, "the carpet costs £#")
    return Story(
        ((f"A rectangular floor is {length} m long and {width} m wide. Carpet costs £{price} per square metre.",
          "How much does it cost to carpet the floor?"),
         (f"Carpet is £{price} a square metre, and a room's rectangular floor measures {length} m by {width} m.",
          "How many pounds does the carpet for the whole floor cost?")),
        (f"The room has {r.randint(1, 4)} windows.", f"The ceiling is {r.randint(2, 4)} m high."))


def rect_perimeter(r: random.Random, t: Trace) -> Story:
    length, width, gate = r.randint(10, 60), r.randint(5, 40), r.randint(2, 5)
    half = t.add(length, width, "one length and one width make # m")
    around = t.mul(half, 2, "the way round is # m")
    t.sub(around, gate, "# m of fence are needed")
    return Story(
        ((f"A rectangular field is {length} m long and {width} m wide. A fence will go all the way round except "
          f"for a gate {gate} m wide.", "How many metres of fence are needed?"),
         (f"A farmer fences a rectangular field of {length} m by {width} m, leaving a {gate} m gap for the gate.",
          "How long is the fence in metres?")),
        (f"The field has {r.randint(5, 40)} cows in it.", f"Each fence post is {r.randint(1, 3)} m tall."))


def all_but(r: random.Random, t: Trace) -> Story:
    thing, verb = r.choice((("sheep", "run away"), ("cookies", "get eaten"), ("balloons", "pop"),
                            ("candles", "burn out")))
    total, kept, more = r.randint(12, 40), r.randint(2, 11), r.randint(2, 15)
    gone = t.sub(total, kept, f"# {thing} {verb}")
    left = t.sub(total, gone, f"# {thing} are left")
    t.add(left, more, f"there are # {thing} now")
    return Story(
        ((f"There are {total} {thing}. All but {kept} {verb}. Then {more} more {thing} are added.",
          f"How many {thing} are there now?"),
         (f"Of {total} {thing}, all but {kept} {verb}, and later {more} new {thing} join them.",
          f"How many {thing} are there at the end?")),
        (f"The {thing} were counted at {r.randint(2, 9)} o'clock.", f"Counting them took {r.randint(3, 12)} minutes."))


def shop_stock(r: random.Random, t: Trace) -> Story:
    item = r.choice(("umbrellas", "scarves", "torches", "kites"))
    stock, morning, afternoon, delivery = r.randint(30, 90), r.randint(3, 20), r.randint(3, 20), r.randint(5, 40)
    after_morning = t.sub(stock, morning, f"# {item} are left after the morning")
    after_day = t.sub(after_morning, afternoon, f"# {item} are left after the afternoon")
    t.add(after_day, delivery, f"the shop has # {item}")
    return Story(
        ((f"A shop has {stock} {item}. It sells {morning} in the morning and {afternoon} in the afternoon, "
          f"then a delivery brings {delivery} more.", f"How many {item} does the shop have now?"),
         (f"In the morning a shop with {stock} {item} sells {morning}, in the afternoon it sells {afternoon}, "
          f"and in the evening {delivery} arrive.", f"How many {item} are in stock at the end of the day?")),
        (f"The shop has {r.randint(2, 6)} staff.", f"Each of the {item} costs £{r.randint(4, 25)}."))


def pages_left(r: random.Random, t: Trace) -> Story:
    name, per_day, days = r.choice(NAMES), r.randint(8, 40), r.randint(2, 9)
    pages = per_day * days + r.randint(10, 200)
    read = t.mul(per_day, days, f"{name} reads # pages")
    t.sub(pages, read, "# pages are left")
    return Story(
        ((f"A book has {pages} pages. {name} reads {per_day} pages a day for {days} days.",
          "How many pages are left to read?"),
         (f"{name} reads {per_day} pages of a {pages}-page book each day.",
          f"How many pages are still unread after {days} days?")),
        (f"The book weighs {r.randint(200, 900)} g.", f"{name} has {r.randint(2, 9)} bookmarks."))


def shelves_boxes(r: random.Random, t: Trace) -> Story:
    shelves, boxes, jars = r.randint(2, 8), r.randint(3, 10), r.choice((4, 6, 8, 12))
    per_shelf = t.mul(shelves, boxes, "there are # boxes")
    t.mul(per_shelf, jars, "there are # jars")
    return Story(
        ((f"A storeroom has {shelves} shelves. Each shelf holds {boxes} boxes, and each box holds {jars} jars.",
          "How many jars are in the storeroom?"),
         (f"There are {jars} jars in every box, {boxes} boxes on every shelf and {shelves} shelves.",
          "How many jars is that in all?")),
        (f"The storeroom door is {r.randint(1, 3)} m wide.", f"{r.randint(2, 9)} of the boxes are blue."))


def team_bibs(r: random.Random, t: Trace) -> Story:
    size, teams, bibs = r.randint(3, 8), r.randint(2, 8), r.randint(2, 4)
    children = size * teams
    n_teams = t.div(children, size, "there are # teams")
    t.mul(n_teams, bibs, "# bibs are needed")
    return Story(
        ((f"{children} children are split into teams of {size}. Each team needs {bibs} bibs.",
          "How many bibs are needed?"),
         (f"A coach puts {children} children into teams of {size} and gives every team {bibs} bibs.",
          "How many bibs does the coach hand out?")),
        (f"The game lasts {r.randint(20, 60)} minutes.", f"The pitch is {r.randint(30, 90)} m long."))


def hourly_pay(r: random.Random, t: Trace) -> Story:
    name, rate, hours = r.choice(NAMES), r.randint(8, 15), r.randint(2, 6)
    days, spend = r.randint(2, 5), r.randint(10, 60)
    per_day = t.mul(rate, hours, f"{name} earns £# a day")
    earned = t.mul(per_day, days, f"{name} earns £# in all")
    t.sub(earned, spend, "£# is left")
    return Story(
        ((f"{name} earns £{rate} an hour and works {hours} hours on each of {days} days, then spends £{spend}.",
          "How many pounds are left?"),
         (f"A café pays {name} £{rate} per hour. {name} works {hours}-hour shifts on {days} days and spends £{spend} "
          "of the pay.", f"How much of the pay does {name} still have, in pounds?")),
        (f"The café has {r.randint(6, 20)} tables.", f"{name} lives {r.randint(1, 9)} km from the café."))


TEMPLATES: tuple[tuple[str, Template], ...] = (
    ("shop-change", shop_change), ("shop-two-items", shop_two_items), ("trip-two-legs", trip_two_legs),
    ("walk-minutes", walk_minutes), ("work-per-hour", work_per_hour), ("practice-hours", practice_hours),
    ("ribbon-pieces", ribbon_pieces), ("pence-change", pence_change), ("share-equally", share_equally),
    ("percent-discount", percent_discount), ("percent-of-group", percent_of_group), ("age-times", age_times),
    ("age-sum", age_sum), ("compare-reading", compare_reading), ("compare-fewer", compare_fewer),
    ("packs-total", packs_total), ("savings-total", savings_total), ("savings-weeks", savings_weeks),
    ("recipe-scale", recipe_scale), ("rect-area-cost", rect_area_cost), ("rect-perimeter", rect_perimeter),
    ("all-but", all_but), ("shop-stock", shop_stock), ("pages-left", pages_left),
    ("shelves-boxes", shelves_boxes), ("team-bibs", team_bibs), ("hourly-pay", hourly_pay),
)
TEMPLATE_IDS = tuple(name for name, _ in TEMPLATES)
