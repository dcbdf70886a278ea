"""The second half of the templates added after the first 27 (see `templates_more.py`):
speed and time, kilograms and grams, days and weeks, pence and pounds, and the like.

The held-out set (`evals/questions`) has its own scenarios and wording; nothing there is
written from here.
"""

from __future__ import annotations

import random

from agent.tasks.word_problems.stories import Redraw, Story, Template, Trace
from agent.tasks.word_problems.templates import NAMES


def train_minutes(r: random.Random, t: Trace) -> Story:
    speed, hours, stop = r.choice((40, 60, 80, 90, 100, 120)), r.randint(2, 5), r.randint(5, 30)
    distance = speed * hours
    travel = t.div(distance, speed, "the train runs for # hours")
    minutes = t.mul(travel, 60, "that is # minutes")
    t.add(minutes, stop, "the trip takes # minutes with the stop")
    return Story(
        ((f"A train travels {distance} km at {speed} km per hour and waits {stop} minutes at one station on the "
          "way.", "How many minutes does the whole trip take?"),
         (f"At a steady {speed} km/h, a train covers a {distance} km line. It also stops for {stop} minutes "
          "halfway.", "What is the total journey time in minutes?"),
         (f"A train makes one stop of {stop} minutes on a {distance} km journey and otherwise runs at {speed} "
          "kilometres an hour.", "Find the time the trip takes, in minutes.")),
        (f"The train has {r.randint(7, 12)} carriages.", f"A ticket costs £{r.randint(31, 89)}."))


def cycle_weeks(r: random.Random, t: Trace) -> Story:
    name, speed, hours, weeks = r.choice(NAMES), r.randint(10, 25), r.randint(2, 3), r.randint(2, 6)
    daily = t.mul(speed, hours, f"{name} rides # km a day")
    days = t.mul(weeks, 7, "that is # days")
    t.mul(daily, days, f"{name} rides # km in all")
    return Story(
        ((f"{name} cycles at {speed} km per hour for {hours} hours every day.",
          f"How many kilometres does {name} cycle in {weeks} weeks?"),
         (f"Every day for {weeks} weeks, {name} rides a bike for {hours} hours at {speed} km an hour.",
          "What distance is that in total, in km?"),
         (f"At {speed} km/h, {name} trains on a bike {hours} hours a day.",
          f"Find the number of kilometres ridden over {weeks} weeks.")),
        (f"The bike weighs {r.randint(8, 9)} kg.", f"{name} drinks {r.randint(500, 900)} ml of water on each ride."))


def tile_boxes(r: random.Random, t: Trace) -> Story:
    name, length, width = r.choice(NAMES), r.randint(2, 8), r.randint(2, 6)
    per_metre, box = r.choice((4, 9, 16, 25)), r.choice((10, 12, 20, 25, 50))
    area = t.mul(length, width, "the floor is # square metres")
    tiles = t.mul(area, per_metre, "# tiles are needed")
    t.div(tiles, box, "# boxes of tiles are needed")
    return Story(
        ((f"A kitchen floor is {length} m by {width} m. Each square metre takes {per_metre} tiles, and tiles come "
          f"in boxes of {box}.", "How many boxes are needed?"),
         (f"Tiles are sold in boxes of {box}, and {per_metre} tiles cover one square metre. {name} tiles a "
          f"bathroom floor {length} m long and {width} m wide.", f"How many boxes does {name} buy?"),
         (f"{name} tiles a rectangular patio measuring {length} metres by {width} metres, using {per_metre} tiles "
          f"per square metre. A box holds {box} tiles.", "Find the number of boxes used.")),
        (f"Each box costs £{r.randint(13, 40)}.", f"The grout takes {r.randint(13, 48)} hours to dry."))


def flour_loaves(r: random.Random, t: Trace) -> Story:
    name, kg, per_loaf, price = r.choice(NAMES), r.randint(2, 10), r.choice((250, 400, 500)), r.randint(2, 4)
    grams = t.mul(kg, 1000, "the flour weighs # g")
    loaves = t.div(grams, per_loaf, "# loaves are made")
    t.mul(loaves, price, "the loaves sell for £#")
    return Story(
        ((f"A baker has {kg} kg of flour. Each loaf needs {per_loaf} g of flour and sells for £{price}.",
          "If all the flour is used, what do the loaves earn in pounds?"),
         (f"Each loaf of bread uses {per_loaf} g of flour. {name} bakes with a {kg} kg sack, using all of it, and "
          f"sells every loaf for £{price}.", "What do the loaves sell for in total?"),
         (f"Loaves sell for £{price} each at {name}'s stall. Every one uses {per_loaf} grams of flour, and {name} "
          f"bakes through {kg} kilograms.", "Find the money taken for the loaves, in pounds.")),
        (f"The oven is heated to {r.randint(180, 240)} degrees.", f"The stall opens {r.randint(5, 7)} days a week."))


def twice_as_many(r: random.Random, t: Trace) -> Story:
    a, b, c = r.sample(NAMES, 3)
    thing = r.choice(("shells", "conkers", "pine cones", "pebbles", "acorns"))
    first, times, fewer = r.randint(5, 30), r.choice((2, 3)), r.randint(2, 9)
    as_many = {2: "twice", 3: "three times"}[times]
    second = t.mul(first, times, f"{b} collects # {thing}")
    third = t.sub(second, fewer, f"{c} collects # {thing}")
    pair = t.add(first, second, f"{a} and {b} collect # {thing}")
    t.add(pair, third, f"the three collect # {thing} in all")
    return Story(
        ((f"On a walk {a} collects {first} {thing}. {b} collects {as_many} as many as {a}, and {c} collects "
          f"{fewer} fewer than {b}.", f"How many {thing} do the three collect in total?"),
         (f"{c} finds {fewer} {thing} fewer than {b}, and {b} finds {as_many} as many as {a}, who finds {first}.",
          f"How many {thing} are found altogether?"),
         (f"{a} picks up {first} {thing}; {b} picks up {as_many} as many; {c} picks up {fewer} fewer than {b}.",
          f"What is the total number of {thing}?")),
        (f"The walk lasts {r.randint(31, 90)} minutes.", f"They carry the {thing} in a {r.randint(10, 20)} cm tin."))


def half_then_packs(r: random.Random, t: Trace) -> Story:
    name, other = r.sample(NAMES, 2)
    cards, packs, per_pack = r.randrange(20, 121, 2), r.randint(2, 6), r.choice((5, 6, 8, 10))
    kept = t.div(cards, 2, f"{name} keeps # cards")
    new = t.mul(packs, per_pack, f"{name} gets # new cards")
    t.add(kept, new, f"{name} has # cards now")
    return Story(
        ((f"{name} has {cards} football cards and gives half of them to {other}. Then {name} buys {packs} packs "
          f"of {per_pack} cards.", f"How many cards does {name} have now?"),
         (f"After giving half of {cards} trading cards to {other}, {name} opens {packs} new packs with {per_pack} "
          "cards in each.", f"How many cards does {name} end up with?"),
         (f"{name} buys {packs} packs of cards, {per_pack} to a pack, having just given {other} half of a "
          f"{cards}-card collection.", f"What is the size of {name}'s collection now?")),
        (f"{other} is {r.randint(11, 14)} years old.", f"The cards are kept in a box {r.randint(15, 30)} cm long."))


def plant_growth(r: random.Random, t: Trace) -> Story:
    name, start, per_day, weeks = r.choice(NAMES), r.randint(10, 50), r.randint(2, 5), r.randint(2, 6)
    days = t.mul(weeks, 7, "# days pass")
    grown = t.mul(days, per_day, "the plant grows # cm")
    t.add(start, grown, "the plant is # cm tall")
    return Story(
        ((f"A sunflower is {start} cm tall and grows {per_day} cm every day.",
          f"How tall is it after {weeks} weeks, in cm?"),
         (f"{name}'s bean plant grows {per_day} cm a day. It was {start} cm tall when {name} first measured it.",
          f"What is its height {weeks} weeks later?"),
         (f"Starting at {start} cm, a tomato plant gains {per_day} cm of height each day for {weeks} weeks.",
          "Find its height at the end, in centimetres.")),
        (f"The pot is {r.randint(15, 40)} cm wide.", f"{name} waters it with {r.randint(200, 500)} ml a day."))


def daily_pence(r: random.Random, t: Trace) -> Story:
    name, pence, weeks = r.choice(NAMES), r.choice((20, 25, 50)), r.randint(2, 12)
    days = t.mul(weeks, 7, "that is # days")
    saved = t.mul(days, pence, f"{name} saves # pence")
    t.div(saved, 100, f"{name} saves £#")
    return Story(
        ((f"{name} puts {pence}p in a money box every day for {weeks} weeks.", "How many pounds is that?"),
         (f"Every day for {weeks} weeks, {name} saves a {pence}p coin.", "What is the total saved, in pounds?"),
         (f"For {weeks} weeks {name} saves {pence} pence a day towards a present.",
          f"Find how many pounds {name} saves.")),
        (f"The money box is {r.randint(13, 19)} cm tall.", f"The present {name} wants costs £{r.randint(30, 80)}."))


def film_marathon(r: random.Random, t: Trace) -> Story:
    name, hours, first, second = r.choice(NAMES), r.randint(4, 7), r.randint(85, 140), r.randint(85, 140)
    third = 60 * hours - first - second
    if not 85 <= third <= 150:
        raise Redraw
    two = t.add(first, second, "the first two films last # minutes")
    total = t.add(two, third, "the three films last # minutes")
    t.div(total, 60, "that is # hours")
    return Story(
        ((f"A film night shows three films lasting {first}, {second} and {third} minutes, one after the other.",
          "How many hours does the film night last?"),
         (f"{name} watches three films back to back: the first runs {first} minutes, the second {second} minutes "
          f"and the last {third} minutes.", "How many hours is that altogether?"),
         (f"At an all-day showing, films of {first}, {second} and {third} minutes play with no breaks.",
          "Find the total running time in hours.")),
        (f"The popcorn cost £{r.randint(3, 8)}.", f"{r.randint(20, 80)} people came."))


def printer_minutes(r: random.Random, t: Trace) -> Story:
    name, copies, pages = r.choice(NAMES), r.randint(5, 40), r.randint(4, 24)
    rate, warm = r.choice((10, 15, 20, 25, 30, 40)), r.randint(2, 5)
    total = t.mul(copies, pages, "# pages are printed")
    printing = t.div(total, rate, "printing takes # minutes")
    t.add(printing, warm, "the job takes # minutes")
    return Story(
        ((f"A printer prints {rate} pages a minute after warming up for {warm} minutes. {name} prints {copies} "
          f"copies of a {pages}-page report.", "How many minutes does the job take?"),
         (f"{name} needs {copies} copies of a report that is {pages} pages long. The printer needs {warm} minutes "
          f"to warm up, then prints {rate} pages every minute.", "What is the total time in minutes?"),
         (f"Printing {rate} pages per minute, an office printer makes {copies} copies of a {pages}-page booklet. "
          f"It first spends {warm} minutes warming up.", "Find the time the job takes in minutes.")),
        (f"A pack of paper holds {r.randint(400, 500)} sheets.", f"The office has {r.randint(41, 90)} desks."))


def quiz_points(r: random.Random, t: Trace) -> Story:
    per, first, second, penalty = r.choice((2, 3, 5, 10)), r.randint(4, 12), r.randint(4, 12), r.randint(1, 10)
    right = t.add(first, second, "# answers are right")
    points = t.mul(right, per, "they earn # points")
    t.sub(points, penalty, "they finish with # points")
    return Story(
        ((f"In a quiz each right answer scores {per} points. A team gets {first} right in the first round and "
          f"{second} right in the second, then loses {penalty} points for talking.",
          "How many points does the team finish with?"),
         (f"A quiz team answers {first} questions correctly in round one and {second} in round two. Every "
          f"correct answer is worth {per} points, but {penalty} points are taken off for a late answer sheet.",
          "What is the team's final score?"),
         (f"{penalty} points are taken away from a quiz team as a penalty. Before that, they had answered {first} "
          f"and then {second} questions right, at {per} points per correct answer.", "Find the team's score.")),
        (f"Each round has {r.randint(13, 20)} questions.", f"There are {r.randint(13, 19)} teams in the quiz."))


def fold_leaflets(r: random.Random, t: Trace) -> Story:
    a, b = r.sample(NAMES, 2)
    item, use = r.choice((("leaflets", "a fair"), ("letters", "a mailing"), ("menus", "a new café")))
    fast, slow, done, minutes = r.randint(4, 15), r.randint(4, 15), r.randint(10, 60), r.randint(3, 12)
    total = done + (fast + slow) * minutes
    both = t.add(fast, slow, f"they fold # {item} a minute together")
    left = t.sub(total, done, f"# {item} are still to fold")
    t.div(left, both, "the folding takes # minutes")
    return Story(
        ((f"{a} and {b} fold {total} {item} for {use}, and {done} are already folded. {a} folds {fast} a minute "
          f"and {b} folds {slow} a minute.", "How many minutes do they need to finish if they work together?"),
         (f"{a} can fold {fast} {item} per minute and {b} can fold {slow}. Of {total} {item} for {use}, {done} "
          "have been folded.", "Working side by side, how long do the two take to fold the rest?"),
         (f"There are {total} {item} to fold for {use}, {done} of them done. {b} folds {slow} a minute, {a} folds "
          f"{fast}, and they share the job.", "Find the number of minutes the rest of the folding takes.")),
        (f"{a} and {b} have been friends for {r.randint(16, 30)} years.",
         f"The {item} cost £{r.randint(16, 40)} to print."))


def track_laps(r: random.Random, t: Trace) -> Story:
    name, lap, laps, days = r.choice(NAMES), r.choice((200, 250, 400)), r.randint(2, 12), r.randint(2, 10)
    daily = t.mul(laps, lap, f"{name} runs # m a day")
    total = t.mul(daily, days, f"{name} runs # m in all")
    t.div(total, 1000, "that is # km")
    return Story(
        ((f"A running track is {lap} m round. {name} runs {laps} laps a day for {days} days.",
          f"How many kilometres does {name} run in all?"),
         (f"{name} trains for {days} days, running {laps} laps of a {lap} m track each day.",
          "What distance is that in kilometres?"),
         (f"Each lap of the school track is {lap} metres. Every day for {days} days, {name} completes {laps} laps.",
          "Find the total distance in km.")),
        (f"The track has {r.choice((6, 8))} lanes.", f"{name}'s trainers cost £{r.randint(30, 90)}."))


def egg_boxes(r: random.Random, t: Trace) -> Story:
    name, hens, per_hen, price = r.choice(NAMES), r.randint(6, 40), r.randint(3, 7), r.randint(2, 4)
    box, boxes = r.choice(((12, "boxes of a dozen"), (6, "half-dozen boxes")))
    eggs = t.mul(hens, per_hen, "the hens lay # eggs")
    filled = t.div(eggs, box, "# boxes are filled")
    t.mul(filled, price, "the eggs sell for £#")
    return Story(
        ((f"A farm has {hens} hens and each lays {per_hen} eggs a week. The eggs are packed in {boxes} that sell "
          f"for £{price} each.", "How much money do a week's eggs make?"),
         (f"Eggs are sold in {boxes} at £{price} a box. {name}'s {hens} hens each lay {per_hen} eggs in a week.",
          "What do one week's eggs sell for, in pounds?"),
         (f"Each of {name}'s {hens} hens lays {per_hen} eggs per week, and the eggs are packed into {boxes} sold "
          f"at £{price} a box.", "Find the week's takings in pounds.")),
        (f"The hen house has {r.randint(8, 9)} perches.", f"The farm also keeps {r.randint(41, 60)} goats."))


def car_park(r: random.Random, t: Trace) -> Story:
    name, first, extra, hours = r.choice(NAMES), r.randint(2, 6), r.randint(1, 4), r.randint(2, 9)
    more = t.sub(hours, 1, "# hours are extra")
    extra_cost = t.mul(more, extra, "the extra hours cost £#")
    t.add(first, extra_cost, "parking costs £#")
    return Story(
        ((f"A car park charges £{first} for the first hour and £{extra} for each hour after that. {name} parks "
          f"for {hours} hours.", f"How much does {name} pay?"),
         (f"{name} leaves a car in a car park for {hours} hours. The first hour costs £{first}; every further "
          f"hour costs £{extra}.", "What is the parking charge in pounds?"),
         (f"Parking costs £{extra} an hour, except the first hour, which costs £{first}.",
          f"Find what {name} pays for {hours} hours of parking.")),
        (f"The car park has {r.randint(50, 400)} spaces.", f"The car park is {r.randint(11, 30)} m from the shops."))


def coin_jar(r: random.Random, t: Trace) -> Story:
    name, twos, fifties = r.choice(NAMES), r.randint(3, 25), r.randrange(2, 31, 2)
    big = t.mul(twos, 2, "the £2 coins make £#")
    pence = t.mul(fifties, 50, "the 50p coins make # pence")
    small = t.div(pence, 100, "that is £#")
    t.add(big, small, "the jar holds £#")
    return Story(
        ((f"A jar holds {twos} coins of £2 and {fifties} coins of 50p.", "How many pounds are in the jar?"),
         (f"{name} empties a money jar and finds {fifties} fifty-pence coins and {twos} two-pound coins.",
          "What is the total in pounds?"),
         (f"In {name}'s coin jar there are {twos} coins worth £2 each and {fifties} coins worth 50p each.",
          "Find how much money is in the jar, in pounds.")),
        (f"The jar is {r.randint(32, 45)} cm tall.", f"{name} has been filling it for {r.randint(26, 40)} months."))


EXTRA_TEMPLATES: tuple[tuple[str, Template], ...] = (
    ("train-minutes", train_minutes), ("cycle-weeks", cycle_weeks), ("tile-boxes", tile_boxes),
    ("flour-loaves", flour_loaves), ("twice-as-many", twice_as_many), ("half-then-packs", half_then_packs),
    ("plant-growth", plant_growth), ("daily-pence", daily_pence), ("film-marathon", film_marathon),
    ("printer-minutes", printer_minutes), ("quiz-points", quiz_points), ("fold-leaflets", fold_leaflets),
    ("track-laps", track_laps), ("egg-boxes", egg_boxes), ("car-park", car_park), ("coin-jar", coin_jar),
)
