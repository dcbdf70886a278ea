"""Household papers: manuals, guarantees, support chats, reviews, recipes, house rules, bills and letters."""

from agent.reading.scenes import Scene

SCENES: tuple[Scene, ...] = (
    Scene("dishwasher_manual.md", "## 7. Error codes\n\n| Code | Meaning | What to do |\n|---|---|---|\n"
          "| {err_water} | No water coming in | Tap on? Inlet hose kinked? |\n"
          "| {err_drain} | Water not draining | Clean the filter under the lower basket |\n"
          "| {err_heat} | Heating fault | Switch off and call service on {phone} |\n"
          "| {err_leak} | Leak sensor tripped | Unplug, tilt forward gently to dry the base |\n\n"
          "If the same code comes back more than {times} times in a week, stop using the appliance.\n\n"
          "## 8. Salt and rinse aid\n\nTop up salt when the {salt_light} light comes on. Rinse aid is set to level "
          "{rinse} at the factory (turn it up in hard water areas).",
          {"err_water": ("E1", "E2"), "err_drain": ("E4", "E5"), "err_heat": ("E7", "E8"), "err_leak": ("E9", "E15"),
           "phone": "phone", "times": ("two", "three"), "salt_light": "colour", "rinse": ("2", "3", "4")},
          (("err_drain", "The dishwasher won't empty - what code?", "what error if the water doesn't drain away?"),
           ("err_leak", "Which code means it's found a leak?", "water under the machine, what code?"),
           ("phone", "Who do I ring if the dishwasher stops heating?", "What number do I call about a heating fault?"),
           ("salt_light", "What colour light tells me to add salt?", "salt's run out - which light comes on?"),
           ("times", "How many repeats of a code per week are OK?", "how many times can an error recur?")),
          ("How much does a service call-out cost?", "Which dishwasher tablets does it recommend?")),
    Scene("robot_vacuum_faq.md", "# {model} robot vacuum - FAQ\n\n**Q: The robot keeps stopping in the same spot.**\n"
          "A: The cliff sensors are probably dirty. Wipe the {sensor_n} sensors underneath with a dry cloth.\n\n"
          "**Q: How long does a full charge last?**\nA: Around {runtime} on Standard suction, less on Max. It needs "
          "about {charge} to recharge fully.\n\n**Q: What does a {ring} ring on the robot mean?**\n"
          "A: The dust bin is full or not seated properly.\n\n**Q: How often do I change the brushes?**\n"
          "A: Side brush every {side_brush}, main roller every {roller}.",
          {"model": "word", "sensor_n": "number_word", "runtime": "minutes", "charge": "hours", "ring": "colour",
           "side_brush": "weeks", "roller": ("6 months", "9 months", "12 months")},
          (("runtime", "how long will it run on one charge?", "On standard power, how long does the battery last?"),
           ("charge", "How long does it take to charge back up?", "If the battery's flat, how long till it's full?"),
           ("ring", "What colour light means the bin wants emptying?", "which ring colour is bin full?"),
           ("roller", "When should I replace the main brush?", "how often does the roller need changing?"),
           ("sensor_n", "How many sensors need wiping if it keeps stopping?", "how many cliff sensors?")),
          ("Does the robot mop as well as vacuum?", "How much do replacement brushes cost?")),
    Scene("boiler_checks.txt", "Boiler not working? Check these first\n\n1) Pressure. The gauge on the front should "
          "read between 1 and 1.5 bar with the heating off. If it's below 1, top it up with the filling loop (the "
          "{loop} tap under the boiler) - slowly - and close it again once you reach {target}.\n"
          "2) Fault {fault} on the display means the flame has gone out. Press and hold RESET for {secs} seconds. "
          "Don't try more than {tries} times; if it still locks out, ring us.\n\n"
          "Out-of-hours emergency line: {phone}\nFitted by {fitter}, serial on the sticker inside the lower panel.",
          {"loop": "colour", "target": ("1.2 bar", "1.3 bar"), "fault": ("F28", "L-01", "EA 227"),
           "secs": "number_word", "tries": ("two", "three"), "phone": "phone", "fitter": "person"},
          (("target", "What pressure should I top the boiler up to?", "when I'm refilling it, when do I stop?"),
           ("loop", "What colour's the tap I use to repressurise?", "Which tap is the filling loop - what colour?"),
           ("fault", "What code comes up when the flame goes out?", "Which fault means it's lost its flame?"),
           ("tries", "How many goes at resetting before I phone?", "how many times can I press reset?"),
           ("phone", "What's the number for an emergency at night?", "Who do I call out of hours - what number?"),
           ("fitter", "Who installed the boiler?", "who fitted it?")),
          ("How old is the boiler?", "How much does an emergency call-out cost?")),
    Scene("guarantee_terms.md", "## Your {brand} guarantee\n\nEvery {brand} appliance comes with a {years}-year "
          "parts and labour guarantee from the date of delivery. Register it within {reg_days} of purchase and we'll "
          "add a {extra} extension free of charge.\n\n**What isn't covered**\n"
          "- Accidental damage, including drops and spills\n- Consumables: filters, bags, bulbs and batteries\n"
          "- Commercial use (cafés, or holiday lets with more than {lets} bookings a year)\n\n**How to claim**\n"
          "Email {email} with your order number and a photo of the rating plate. We aim to reply within {reply}.",
          {"brand": "word", "years": ("2", "3", "5"), "reg_days": "days", "extra": ("12-month", "6-month", "two-year"),
           "lets": "small_number", "email": "email", "reply": "hours"},
          (("years", "How many years of cover do I get as standard?", "how many years is it guaranteed for?"),
           ("reg_days", "How soon after buying must I register?", "What's the deadline for registering it?"),
           ("extra", "What do I get for registering?", "How much longer is the guarantee if I sign up?"),
           ("email", "how do I make a claim - who do I email?", "Where do warranty claims go?"),
           ("lets", "Holiday let - how many bookings a year are allowed?", "what's the holiday let limit?")),
          ("Is the guarantee transferable if I sell the appliance?", "Is collection of the product free?")),
    Scene("returns_policy.txt", "Returns & refunds\n\nChanged your mind? No problem. You have {window} from the day "
          "your order arrives to send it back, as long as it's unused and in the original packaging. Big items "
          "(sofas, mattresses) carry a {restock} collection charge, which comes off your refund.\n\n"
          "Print the label, drop it at any {dropoff} and keep the receipt. Refunds go back to the original payment "
          "method within {refund} of the parcel reaching our warehouse in {town}.\n\n"
          "Faulty? That's different - contact {email} and we'll cover the postage.",
          {"window": "days", "restock": "money", "dropoff": ("post office", "parcel locker", "corner-shop drop point"),
           "refund": ("5 working days", "3 working days", "10 working days"), "town": "town", "email": "email"},
          (("window", "I changed my mind - how long have I got to send it back?", "What's the return window?"),
           ("restock", "What does it cost to return a mattress?", "is there a fee for returning big stuff?"),
           ("refund", "how long till I get my money back?", "Once they get the return, when will the refund land?"),
           ("town", "Which town do returns go to?", "Where's the returns warehouse?"),
           ("email", "Who do I contact if the thing arrived broken?", "My item's faulty - where do I email?")),
          ("Can I exchange for a different size instead of a refund?", "Do sale items have a shorter return window?")),
    Scene("kettle_support_chat.txt", "{agent.first}: Hi, you're through to {brand} support. How can I help?\n"
          "You: my kettle has stopped switching itself off when it boils. bought it in {month}\n"
          "{agent.first}: Sorry to hear that! Could you read me the model number from under the base?\n"
          "You: {model_no}\n{agent.first}: Thanks. That one's still under guarantee, so I'll arrange a replacement. "
          "Your case number is {case}.\nYou: great. do I need to send the old one back?\n"
          "{agent.first}: No need - please cut the cable off and recycle it. The new kettle should reach you in "
          "{days}.\nYou: perfect, thanks {agent.first}",
          {"brand": "word", "agent": "person", "month": "month", "model_no": ("KT2205", "KT3100", "KT-40B"),
           "case": "code", "days": ("3 working days", "5 working days", "a week")},
          (("agent.first", "Who did I talk to at support?", "what was the name of the person on the chat?"),
           ("case", "What's my case number?", "What reference did they give me for the kettle?"),
           ("days", "When will the replacement arrive?", "how long until the new kettle comes?"),
           ("model_no", "What's the kettle's model number?", "which model is the broken kettle?"),
           ("month", "When did I buy the kettle?", "which month was it bought in?")),
          ("What colour is the replacement kettle?", "Which courier is delivering the new kettle?")),
    Scene("broadband_chat.txt", "Chat started {date}\n\nAgent ({agent.first}): Thanks for waiting. The line test "
          "failed at the street cabinet, so it's not your router.\nCustomer: ok so what happens now\n"
          "Agent ({agent.first}): I've booked an engineer for {day}, {old_slot}. They don't need to come in unless "
          "the fault turns out to be inside.\nCustomer: I'm at work then, anything later?\n"
          "Agent ({agent.first}): Done - I've moved it to {new_slot}, same day. Your fault reference is {ref}.\n"
          "Customer: and do I get money back for the days it's been down?\n"
          "Agent ({agent.first}): Yes, {credit} a day will be credited to your next bill automatically.",
          {"date": "date", "agent": "person", "day": "weekday", "old_slot": ("8am-1pm", "9am-12pm"),
           "new_slot": ("1pm-6pm", "2pm-6pm", "4pm-8pm"), "ref": "code", "credit": "money"},
          (("new_slot", "What time is the engineer coming?", "when do I need to be home for the broadband engineer?"),
           ("day", "Which day is the engineer visit?", "what day did they book the engineer for?"),
           ("credit", "How much compensation do I get per day without internet?", "what's the daily credit?"),
           ("ref", "What's the reference for the fault?", "if I chase it up, what reference do I quote?"),
           ("agent.first", "Who was I chatting to?", "Which agent booked the engineer?")),
          ("How long has the broadband been down?", "What's the engineer's name?")),
    Scene("air_fryer_review.md", "★★★★☆ {title}\nReviewed in {town} on {date} by {reviewer.first}\n\n"
          "Bought the {model} to replace my old one after it died. First impressions: it's quieter, and the basket "
          "is big enough for {portions} portions of chips. Preheating takes about {preheat} (longer than the box "
          "says).\n\nOnly knocked a star off because the non-stick on the tray started to peel after {weeks}. I rang "
          "customer services and spoke to {agent.first}, who sent a new tray out free - they couldn't have been "
          "nicer about it.\n\nWould I buy again? Yes.",
          {"title": ("Does what it says", "Great little fryer", "Nearly perfect"), "town": "town", "date": "date",
           "reviewer": "person", "model": "word", "portions": "number_word", "preheat": "minutes", "weeks": "weeks",
           "agent": "person"},
          (("portions", "How many portions of chips fit in the basket?", "how many portions will it do?"),
           ("preheat", "How long does it take to heat up?", "what's the preheat time like?"),
           ("weeks", "When did the coating start coming off?", "how long before the tray started peeling?"),
           ("agent.first", "Who sorted out the replacement tray?", "who did they speak to at customer services?"),
           ("town", "Where's the reviewer based?", "which town was the review written in?")),
          ("How much did the air fryer cost?", "What wattage is it?")),
    Scene("blender_reviews.md", "### Customer reviews - {model} Pro Blender ({count} reviews)\n\n**{r1}** ★★★★★\n"
          "Crushes ice no problem. I make a smoothie every morning and it's done in {r1_secs}.\n\n**{r2}** ★★☆☆☆\n"
          "Loud. Really loud. The jug cracked after {r2_time} and the replacement took ages.\n\n**{r3}** ★★★★☆\n"
          "Great for soups. Tip: don't fill past the {r3_line} mark with anything hot.\n\n**{r4}** ★☆☆☆☆\n"
          "Arrived with a bent blade. Sent it back the same day, refund was quick at least.",
          {"model": "word", "count": "number", "r1": "person", "r1_secs": ("30 seconds", "45 seconds", "a minute"),
           "r2": "person", "r2_time": ("three months", "six months", "eight months"), "r3": "person",
           "r3_line": ("1 litre", "1.5 litre", "MAX HOT"), "r4": "person"},
          (("r2", "Who said the jug cracked?", "which reviewer complained about the noise?"),
           ("r1_secs", "In the five-star review, how long does a smoothie take?", "how fast does it do a smoothie?"),
           ("r3_line", "How full can I fill it with hot soup?", "What's the limit for hot liquids?"),
           ("r4", "Who got a blender with a damaged blade?", "Whose one arrived broken?"),
           ("r2_time", "How long did the jug last before it cracked?", "when did the jug crack?")),
          ("How many watts is the motor?", "Is the jug dishwasher safe?")),
    Scene("lentil_soup.md", "# Red lentil soup (serves {serves})\n\n- {lentils} red lentils, rinsed\n"
          "- 1 onion, 2 carrots, 2 cloves garlic\n- 1 tsp cumin, pinch of chilli\n- {stock} veg stock\n\n"
          "1. Soften the onion and carrot in oil for about {soften}.\n2. Add garlic and spices, then the lentils and "
          "stock.\n3. Simmer for {simmer}, stirring now and then so it doesn't catch.\n"
          "4. Blend half, leave the rest chunky.\n\nNotes: from {friend.first}'s mum, who adds a squeeze of lemon at "
          "the end. Freezes well for up to {freeze}.\n\nEDIT: the stock above was a typo, it should be {stock_new}, "
          "not {stock}, or it comes out like porridge!",
          {"serves": "number_word", "lentils": ("200g", "250g", "300g"), "stock": ("800ml", "1 litre"),
           "soften": ("5 minutes", "8 minutes"), "simmer": ("20 minutes", "30 minutes"), "friend": "person",
           "freeze": ("three months", "two months", "six weeks"), "stock_new": ("1.2 litres", "1.5 litres")},
          (("stock_new", "How much stock goes in?", "how much veg stock do I actually need?"),
           ("serves", "How many people does this feed?", "how many servings does it make?"),
           ("simmer", "How long do the lentils need to cook?", "how long should it simmer?"),
           ("friend.first", "Whose mum did the recipe come from?", "the soup recipe came from whose mum?"),
           ("freeze", "How long will it keep in the freezer?", "can I freeze it, and for how long?")),
          ("Can I use green lentils instead?", "How many calories are in a bowl?")),
    Scene("ginger_traybake.txt", "Sticky ginger traybake\n(from Gran's envelope, copied out by {writer.first})\n\n"
          "Oven {oven}, fan a bit less. Line a {tin} tin.\n\nMelt {butter} butter with the syrup and sugar, don't "
          "let it boil. Beat in 2 eggs and the milk, then fold in the flour, ginger and a pinch of salt.\n\n"
          "Bake {bake}. Done when a skewer comes out with a few crumbs, not wet.\n\n"
          "Gran's notes: better on the {ordinal} day than the first. Keeps a week in a tin. She made it every "
          "bonfire night for {crowd} of us and there was never any left.",
          {"writer": "person", "oven": ("170°C", "180°C"), "tin": ("20cm square", "23cm square", "9 x 13 inch"),
           "butter": ("150g", "175g", "200g"), "bake": ("35-40 minutes", "40-45 minutes", "about 50 minutes"),
           "ordinal": ("second", "third"), "crowd": ("ten", "twelve", "twenty")},
          (("oven", "What temperature do I bake it at?", "how hot should the oven be?"),
           ("tin", "What size tin do I need?", "what should I bake it in?"),
           ("bake", "how long does it go in for?", "What's the baking time?"),
           ("ordinal", "Which day is the traybake at its best?", "When does it taste best, according to Gran?"),
           ("crowd", "How many people did Gran bake it for on bonfire night?", "how many of them were there?")),
          ("How much golden syrup do I need?", "Can the traybake be frozen?")),
    Scene("house_rules.md", "# House rules - {street}\n\n1. **Bins**: general waste goes out {bin_day} night, "
          "recycling every other week (calendar on the fridge).\n2. **Quiet hours** {quiet} to 8am on weekdays.\n"
          "3. **Guests** can stay up to {guest_nights} nights in a row; longer than that, ask everyone first.\n"
          "4. **Heating** is on a timer. Please don't turn the thermostat above {temp}.\n"
          "5. Front door code is {code}. Don't give it out to delivery drivers.\n"
          "6. Problems with the house go to {agent} at the letting agency ({phone}), not to the landlord directly.",
          {"street": "street", "bin_day": "weekday", "quiet": ("10pm", "10.30pm", "11pm"),
           "guest_nights": "number_word", "temp": ("19°C", "20°C", "21°C"), "code": "code", "agent": "person",
           "phone": "phone"},
          (("bin_day", "When do the bins go out?", "what night is general waste?"),
           ("quiet", "When do we keep it down on a weeknight?", "when do quiet hours start?"),
           ("guest_nights", "How long can my boyfriend stay without asking?", "max nights in a row for a guest?"),
           ("code", "What's the code to get in the front door?", "I forgot the door code, what is it?"),
           ("agent", "Who do I report a leak to?", "who's our contact at the letting agency?")),
          ("Are pets allowed in the house?", "Who pays the internet bill?")),
    Scene("chores_rota.md", "Chores rota - flat {flat_no}, from {start}\n\n| Who | This week | Next week |\n"
          "|---|---|---|\n| {a.first} | Kitchen | Bathroom |\n| {b.first} | Bathroom | Hoovering + stairs |\n"
          "| {c.first} | Hoovering + stairs | Bins & recycling |\n| {d.first} | Bins & recycling | Kitchen |\n\n"
          "Kitchen = wipe surfaces, clean the hob, mop the floor. NOT just loading the dishwasher ({a.first} 👀)\n"
          "Cleaning kitty is {kitty} each, into the jar by the kettle. We're out of bin bags - whoever's on bins, "
          "grab some from {shop}'s on the corner.",
          {"flat_no": "small_number", "start": "day_month", "a": "person", "b": "person", "c": "person", "d": "person",
           "kitty": "money", "shop": "word"},
          (("a.first", "Who's got the bathroom next week?", "whose turn is it to clean the bathroom after this week?"),
           ("b.first", "Who's cleaning the bathroom this week?", "who has the loo this week?"),
           ("c.first", "Who's doing the bins next week?", "next week, who takes the recycling out?"),
           ("d.first", "who's on kitchen duty next week?", "Who's doing the bins at the moment?"),
           ("kitty", "How much do I put in the cleaning kitty?", "what's everyone's share for cleaning stuff?")),
          ("Who cleans the windows?", "Which day are the bins collected?")),
    Scene("flat_group_chat.txt", "FLAT 🏠 (4 members)\n\n{a.first}: energy bill's in, it's {bill_old} for the "
          "quarter 😬\n{b.first}: ouch\n{a.first}: wait no I read the estimate. actual is {bill_new}. I'll work out "
          "the split tonight\n{c.first}: can pay friday, same account as the wifi?\n"
          "{a.first}: yes, details in the pinned msg. put your name as the ref pls\n"
          "{b.first}: also who left the {food} in the fridge, it's growing things\n"
          "{c.first}: that's {d.first}'s, they're away till {back}\n{b.first}: 🤢 binning it",
          {"a": "person", "b": "person", "c": "person", "d": "person", "bill_old": "money", "bill_new": "money",
           "food": "food", "back": "weekday"},
          (("bill_new", "How much is the energy bill?", "what did the quarter's energy actually come to?"),
           ("food", "What's going off in the fridge?", "what did someone leave in the fridge?"),
           ("d.first", "Who does the {food} belong to?", "whose food is growing things?"),
           ("back", "When's the owner of the {food} back?", "how long is {d.first} away for?"),
           ("a.first", "Who's sorting out the energy bill?", "who's working out the split?")),
          ("What are the bank details for paying the bill?", "How much is the wifi each month?")),
    Scene("tenancy_key_terms.txt", "ASSURED SHORTHOLD TENANCY - KEY TERMS (extract)\n\nProperty: {street}, {town}\n"
          "Landlord: {landlord}\nTenant: {tenant}\n\n3.1 The rent is {rent} per calendar month, payable in advance "
          "on the {rent_day} day of each month.\n3.4 A deposit of {deposit} will be held in an approved scheme and "
          "returned within {dep_days} of the end of the tenancy, less any agreed deductions.\n"
          "5.2 After the fixed term of {term}, the Tenant must give at least {notice} written notice to end the "
          "tenancy.",
          {"street": "street", "town": "town", "landlord": "person", "tenant": "person", "rent": "money",
           "rent_day": "ordinal", "deposit": "money", "dep_days": "days", "term": ("six months", "twelve months"),
           "notice": ("one month's", "two months'")},
          (("rent", "How much is the monthly rent?", "what do I pay each month?"),
           ("rent_day", "What day of the month is rent due?", "when does rent go out each month?"),
           ("dep_days", "How long after I move out do I get the deposit back?", "when is the deposit returned?"),
           ("notice", "If I want to leave, how far ahead must I tell them?", "how much warning to move out?"),
           ("landlord", "Who owns the flat?", "who's the landlord?")),
          ("Are bills included in the rent?", "Who is responsible for the garden?")),
    Scene("order_confirmation.txt", "Subject: Order confirmed #{order}\n\nHi {cust.first},\n\n"
          "Thanks for your order! Here's what's on its way:\n\n| Item | Qty | Price |\n|---|---|---|\n"
          "| {item1} | 1 | {p1} |\n| Bath towel, {colour} | {qty} | {p2} |\n"
          "| Shower curtain rings (set) | 1 | {p3} |\n\nEstimated arrival: {arrive}\n\n"
          "Need to change something? You've got {change} to edit your order before we pack it.\n\n"
          "- The {shop} Home team",
          {"order": "number", "cust": "person", "item1": ("Duvet cover, double", "Pillow pair", "Bath mat"),
           "p1": "money", "colour": "colour", "qty": ("2", "3", "4", "6"), "p2": "money", "p3": "money",
           "arrive": "date", "change": "hours", "shop": "word"},
          (("arrive", "When should my order arrive?", "when's the delivery due?"),
           ("p2", "How much were the towels?", "what did I pay for the bath towels?"),
           ("qty", "How many towels did I order?", "how many bath towels are coming?"),
           ("change", "How long do I have to make changes to the order?", "can I still edit it - for how long?"),
           ("order", "What's my order number?", "what number do I quote about this order?")),
          ("Which courier is delivering?", "What's the total including delivery?")),
    Scene("plumber_invoice.txt", "INVOICE {inv_no}\n{plumber} Plumbing & Heating - {phone}\n\nTo: {cust}, {street}\n"
          "Date of work: {date}\n\nReplace leaking {part} under kitchen sink ...... {parts}\n"
          "Labour ({hrs} hrs @ {rate}/hr) ...... {labour}\nCall-out ...... {callout}\n\nTOTAL DUE ...... {total}\n\n"
          "Payment within {terms} please, by bank transfer (details overleaf).\n\nThanks - {plumber.first}",
          {"inv_no": "code", "plumber": "person", "phone": "phone", "cust": "person", "street": "street",
           "date": "date", "part": ("compression valve", "waste trap", "isolation valve"), "parts": "money",
           "hrs": ("1.5", "2", "2.5"), "rate": "money", "labour": "money", "callout": "money", "total": "money",
           "terms": "days"},
          (("total", "What do I owe the plumber altogether?", "how much is the bill in total?"),
           ("callout", "How much was the call-out charge?", "what did they charge just to come out?"),
           ("part", "What did the plumber replace?", "which part was leaking?"),
           ("terms", "How long have I got to pay?", "when's payment due by?"),
           ("plumber", "Who did the work?", "who's the plumber?")),
          ("What are the bank details?", "Is VAT included in the total?")),
    Scene("hardware_receipt.txt", "{shop} HARDWARE\n{street}, {town}\nTel {phone}\n\n{date}  {time}\n"
          "Till 3   Served by: {staff.first}\n\nWALL PLUGS x50 ........ {p1}\nMASKING TAPE 25MM ..... {p2}\n"
          "PAINT {colour} 2.5L ... {p3}\nROLLER + TRAY SET ..... {p4}\n--------------------\n"
          "TOTAL ................. {total}\nPAID CARD\n\nReturns within {ret} with this receipt. Tinted paint cannot "
          "be refunded.\nThank you for shopping local!",
          {"shop": "word", "street": "street", "town": "town", "phone": "phone", "date": "date", "time": "time",
           "staff": "person", "p1": "money", "p2": "money", "colour": "colour", "p3": "money", "p4": "money",
           "total": "money", "ret": "days"},
          (("p3", "How much was the paint?", "what did the tin of paint cost?"),
           ("staff.first", "Who served me?", "who was on the till?"),
           ("colour", "What colour paint did I buy?", "which colour was the paint?"),
           ("total", "How much did I spend in total?", "what did the whole lot come to?"),
           ("ret", "How long do I have to bring stuff back?", "what's the returns window?")),
          ("Is there a loyalty card discount?", "What are the shop's opening hours?")),
    Scene("delivery_texts.txt", "{courier}: Your parcel from {sender} is out for delivery today. Your driver is "
          "{driver.first}. Estimated time: {old_slot}. Track: {url}\n\n{courier}: Update - {driver.first} is running "
          "late. New estimated time: {new_slot}. Sorry for the wait.\n\n{courier}: Not in? Reply SAFE to leave it "
          "{safe} or NEIGHBOUR to leave it next door.\n\nYou: SAFE\n\n{courier}: Thanks. {driver.first} will leave "
          "your parcel {safe} and take a photo.",
          {"courier": "word", "sender": "word", "driver": "person", "old_slot": ("10:15-11:15", "11:00-12:00"),
           "url": "url", "new_slot": ("13:40-14:40", "14:20-15:20", "15:05-16:05"),
           "safe": ("in the porch", "behind the side gate", "in the green bin")},
          (("new_slot", "When's my parcel turning up now?", "what time will the driver get here?"),
           ("driver.first", "What's the driver called?", "who's delivering my parcel?"),
           ("safe", "If I'm out, where's my parcel going to be?", "where will they leave it?"),
           ("sender", "Who is the parcel from?", "which shop sent it?"),
           ("courier", "Which delivery company is bringing it?", "who's the courier?")),
          ("What's in the parcel?", "How much did delivery cost?")),
    Scene("repair_visit.txt", "Subject: Your repair visit - {appliance}\n\nDear {cust.last},\n\n"
          "We've booked an engineer to look at your {appliance} on {date}. Arrival window: {window}. Your engineer, "
          "{eng}, will text about {call_mins} before arriving.\n\nPlease make sure:\n"
          "- there's a clear path to the appliance\n- someone over 18 is at home\n- pets are in another room\n\n"
          "The call-out fee of {fee} is payable on the day if the fault isn't covered by your guarantee. Your job "
          "number is {job}; keep it handy, you'll need it if you rebook.\n\n"
          "To change the visit, call {phone} at least {notice} before.\n\n{brand} Home Repairs",
          {"appliance": ("tumble dryer", "oven", "fridge freezer", "washing machine"), "cust": "person",
           "date": "date", "window": ("8am-12pm", "12pm-4pm", "8am-6pm"), "eng": "person", "call_mins": "minutes",
           "fee": "money", "job": "code", "phone": "phone", "notice": "hours", "brand": "word"},
          (("date", "When is the repair booked for?", "what day's the engineer coming to fix the {appliance}?"),
           ("eng", "Who's coming to fix it?", "what's the engineer's name?"),
           ("call_mins", "How much warning before the engineer turns up?", "when will they text?"),
           ("fee", "What will I pay if it's not under guarantee?", "how much is the call-out?"),
           ("notice", "How much notice to move the visit?", "how late can I change it?")),
          ("How long will the repair take?", "Will the engineer bring spare parts?")),
    Scene("vet_reminder_letter.txt", "{practice} Veterinary Surgery\n{street}\n\nDear {owner},\n\n"
          "Re: {pet} ({species})\n\n{pet}'s annual vaccination is due this month. We have reserved an appointment "
          "with {vet} on {date} at {time}. The booster costs {fee}, or it's included if you're on our Healthy Pet "
          "Plan.\n\nIf you can't make it, please let us know at least {notice} beforehand, or a missed-appointment "
          "charge of {missed} may apply. While {pet} is with us we can also do a nail clip and weight check at no "
          "extra cost - just ask at reception.\n\nKind regards,\n{nurse}\nVeterinary Nurse",
          {"practice": "word", "street": "street", "owner": "person", "pet": "word",
           "species": ("dog", "cat", "rabbit"), "vet": "person", "date": "date", "time": "time", "fee": "money",
           "notice": "hours", "missed": "money", "nurse": "person"},
          (("vet", "Which vet will see {pet}?", "who's doing the jab?"),
           ("time", "What time is {pet}'s appointment?", "what time do I need to bring the {species} in?"),
           ("fee", "How much is the booster?", "what does the vaccination cost if I'm not on the plan?"),
           ("missed", "What do they charge if I don't turn up?", "how much is the fine for a missed appointment?"),
           ("notice", "How much notice do I need to give to cancel?", "how far ahead do I have to cancel?")),
          ("What are the reception opening hours?", "How much does the Healthy Pet Plan cost per month?")),
    Scene("dentist_reminder.txt", "{practice} Dental Care\n\nDear {patient.first},\n\n"
          "This is a reminder of your upcoming appointments:\n\n- Check-up with {dentist}: {check_date} at "
          "{check_time}\n- Hygienist ({hyg.first}): {hyg_date} at {hyg_time}\n\n"
          "Please arrive {early} early so you can update your medical history form. The check-up is a Band 1 "
          "treatment ({charge}). If you need to cancel, give us {notice} notice - we charge {late_fee} for missed "
          "appointments.\n\nReply YES to confirm.\n\nReception team",
          {"practice": "word", "patient": "person", "dentist": "person", "check_date": "date", "check_time": "time",
           "hyg": "person", "hyg_date": "date", "hyg_time": "time", "early": ("10 minutes", "15 minutes", "5 minutes"),
           "charge": "money", "notice": ("24 hours", "48 hours", "two working days"), "late_fee": "money"},
          (("hyg_time", "What time am I seeing the hygienist?", "what time's my appointment with {hyg.first}?"),
           ("check_date", "What day is my check-up?", "when's the dentist check-up?"),
           ("dentist", "Who's doing the check-up?", "which dentist am I seeing?"),
           ("late_fee", "How much if I miss an appointment?", "what's the no-show charge?"),
           ("charge", "How much will the check-up cost?", "what's the Band 1 price?")),
          ("Is there parking at the practice?", "How long will the hygienist appointment take?")),
    Scene("landlord_email.txt", "From: {landlord}\nSubject: Gas safety check + a couple of things\n\nHi both,\n\n"
          "The annual gas safety check is booked for {old_date} - sorry, scratch that, the engineer's just moved it, "
          "it's now {new_date}, morning. {eng.first} from {company} will do it; you met them last year.\n\n"
          "A couple of other things:\n- I've had a quote to replace the {window_room} window, should happen in "
          "{month}.\n- Rent goes up to {rent} from the renewal. Sorry - it's still under the area average.\n\n"
          "Any problems, text me on {phone}.\n\nThanks,\n{landlord.first}",
          {"landlord": "person", "old_date": "date", "new_date": "date", "eng": "person", "company": "word",
           "window_room": ("bathroom", "back bedroom", "kitchen"), "month": "month", "rent": "money",
           "phone": "phone"},
          (("new_date", "When's the gas safety check?", "what day is the gas engineer coming now?"),
           ("company", "Which firm is doing the gas check?", "who's the gas engineer with?"),
           ("window_room", "Which window is getting replaced?", "what room's getting a new window?"),
           ("rent", "What's the rent going up to?", "how much will rent be after renewal?"),
           ("phone", "What number should I text if something goes wrong?", "how do I reach the landlord?")),
          ("How much is the window replacement costing?", "When is the tenancy renewal date?")),
    Scene("note_through_door.txt", "Hello neighbours at no. {house}!\n\nJust to say we're having a {occasion} on "
          "{day} from about {start} - sorry in advance for the noise, we'll wind down by {end} and move inside. Do "
          "pop over!\n\nAlso, I took in a parcel for you on {parcel_day} (feels like a {thing}?). It's in our porch, "
          "knock any time, or text {neigh.first} on {phone} if we're out.\n\n"
          "One more thing - could you ask your window cleaner not to park across our drive? Ta!\n\n"
          "{neigh.first} & {partner} at no. {house2}",
          {"house": "small_number", "occasion": ("garden party", "barbecue", "50th birthday do"), "day": "weekday",
           "start": ("2pm", "3pm", "4pm"), "end": ("10pm", "10.30pm", "11pm"), "parcel_day": "weekday",
           "thing": ("lamp", "rug", "box of books"), "neigh": "person", "phone": "phone", "partner": "first_name",
           "house2": "small_number"},
          (("end", "What time will the noise stop?", "when are they planning to wind the party down?"),
           ("occasion", "What are the neighbours having?", "what's the do they're warning us about?"),
           ("day", "Which day is the party?", "what day's the noise going to be?"),
           ("phone", "What number can I text about the parcel?", "if they're out, how do I get my parcel?"),
           ("house2", "Which house number is the note from?", "where do the neighbours who wrote this live?")),
          ("What's the neighbours' surname?", "Who is the window cleaner?")),
    Scene("heating_schedule.md", "## Heating schedule (set {date})\n\n| Period | Weekdays | Weekends | Temp |\n"
          "|---|---|---|---|\n| Wake | {wake_wd} | {wake_we} | {t_wake} |\n| Away | 08:30 | - | {t_away} |\n"
          "| Home | 17:00 | 10:00 | {t_home} |\n| Sleep | 22:30 | 23:30 | {t_sleep} |\n\n"
          "Frost protection kicks in below {frost}. Hot water 06:00-07:30 and 18:00-19:00 every day.\n\n"
          "Boost = {boost} of heating at {t_home}, then back to the schedule. Holiday mode: set it in the app, NOT "
          "on the wall unit ({who.first} broke the wall unit doing that last year).",
          {"date": "date", "wake_wd": ("06:15", "06:45"), "wake_we": ("08:00", "09:30"), "t_wake": ("19°C", "20°C"),
           "t_away": ("15°C", "16°C"), "t_home": ("21°C", "20.5°C"), "t_sleep": ("17°C", "18°C"),
           "frost": ("5°C", "7°C"), "boost": ("30 minutes", "one hour"), "who": "person"},
          (("wake_we", "What time does the heating come on at the weekend?", "on a Saturday when does it wake up?"),
           ("t_sleep", "How warm is the house kept overnight?", "what's the night-time temperature?"),
           ("t_away", "What's it set to while we're out during the week?", "How cold does it go when nobody's home?"),
           ("frost", "At what temperature does frost protection come on?", "when does the frost setting kick in?"),
           ("who.first", "Who broke the wall unit?", "whose fault was the broken thermostat?")),
          ("How much does the heating cost per month?", "What temperature is the hot water set to?")),
    Scene("fridge_freezer_manual.txt", "4. SETTING THE TEMPERATURE\n\nThe fridge dial goes from 1 (warmest) to "
          "{dial_max}. For everyday use we recommend {dial_rec}. When you first switch on, wait {wait} before "
          "loading food.\n\n5. ALARMS\n\nIf the door is left open for more than {door}, the fridge beeps {beeps} "
          "times and the {alarm} light flashes. 'HI' on the display means the freezer has warmed up.\n\n"
          "6. HOLIDAY MODE\n\nPress {holiday_btn} for {hold} seconds. The fridge goes off, the freezer stays on.",
          {"dial_max": ("5", "7", "9"), "dial_rec": ("3", "4"), "wait": "hours", "door": ("60 seconds", "two minutes"),
           "beeps": "number_word", "alarm": "colour", "holiday_btn": ("MODE", "SET", "ECO"),
           "hold": ("three", "five")},
          (("dial_rec", "What number should the fridge be on normally?", "Which setting is best day to day?"),
           ("wait", "How long before I can put food in a new fridge?", "after switching it on, when can I load it?"),
           ("door", "How long can the door be open before it starts beeping?", "when does the door alarm go off?"),
           ("alarm", "what colour light flashes when the door's open?", "Which light comes on with the door alarm?"),
           ("holiday_btn", "I'm going away - what button do I press?", "Which button puts it in holiday mode?")),
          ("How do I defrost the freezer?", "What does the 'LO' message mean?")),
)
