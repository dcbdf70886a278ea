"""Buying and selling: product pages, price lists, quotes, listings, bills and chats read for a price, date or name."""

from agent.reading.scenes import Scene

SCENES: tuple[Scene, ...] = (
    Scene("bench_product_page.md", "# {product} Garden Bench, 3-seater\n★★★★☆ (212 reviews)\n\nSolid {wood} slats "
          "on a powder-coated steel frame. Arrives flat-packed; most people have it built in under an hour.\n"
          "\n**Price:** {price}  |  Free delivery over £50\n\n| Spec | |\n|---|---|\n| Width | {width} |\n| Seat "
          "height | {seat_height} |\n| Max load | {load} |\n| Guarantee | {guarantee} |\n\nNote: the {finish} "
          "finish is made to order and ships in {lead_time}.",
          {"product": "word", "wood": ("acacia", "eucalyptus", "larch"), "price": ("£189", "£215", "£249"),
           "width": ("150 cm", "175 cm"), "seat_height": ("44 cm", "46 cm"), "load": ("240 kg", "300 kg"),
           "guarantee": ("2 years", "5 years"), "finish": ("sage green", "charcoal"),
           "lead_time": ("3 weeks", "4-6 weeks")},
          (("seat_height", "How high off the ground is the seat on the {product} bench?", "what's the seat height"),
           ("load", "Will it hold three heavy adults? What's it rated for?", "How much weight can the bench take?"),
           ("lead_time", "If I want it in {finish}, how long will I be waiting?", "How long do painted ones take?"),
           ("wood", "What wood are the slats made of?", "what's the seat actually made from"),
           ("guarantee", "How long is it guaranteed for?", "What warranty comes with the bench?")),
          ("How deep is the bench?", "Does it come with seat cushions?", "Can you pay someone to assemble it?")),
    Scene("heater_spec_sheet.md", "SPEC SHEET — Convector heaters, autumn range\n\n| Model | Output | Room size | "
          "Price |\n|---|---|---|---|\n| {m1} | {p1} | up to {r1} | {c1} |\n| {m2} | {p2} | up to {r2} | {c2} |\n"
          "| {m3} | {p3} | up to {r3} | {c3} |\n\nAll have a thermostat and tip-over cut-out. Only the {m3} has a "
          "24-hour timer. Wall brackets sold separately ({bracket} each).\nTrade enquiries: {contact}, {phone}",
          {"m1": "word", "m2": "word", "m3": "word", "p1": ("1 kW", "1.2 kW"), "p2": ("1.5 kW", "1.8 kW"),
           "p3": ("2 kW", "2.5 kW"), "r1": ("12 m²", "14 m²"), "r2": ("18 m²", "20 m²"), "r3": ("25 m²", "28 m²"),
           "c1": ("£39.99", "£44.99"), "c2": ("£59.99", "£64.99"), "c3": ("£79.99", "£89.99"),
           "bracket": ("£6.50", "£7.95"), "contact": "person", "phone": "phone"},
          (("p2", "What's the output of the {m2}?", "how many kW is the {m2} heater"),
           ("c1", "How much is the cheapest heater?", "What does the {m1} cost?"),
           ("r3", "How big a room will the {m3} heat?", "is the {m3} enough for a big lounge, what size is it for"),
           ("m3", "Which heater has a timer?", "If I want one I can set to come on before I get up, which model?"),
           ("bracket", "Do the wall brackets cost extra? How much?", "price of a bracket to mount it")),
          ("Which model is the quietest?", "Can these heaters go in a bathroom?", "What colours do they come in?")),
    Scene("alterations_price_list.txt", "{shop} ALTERATIONS & DRY CLEANING\nPrice list from {month}\n\n"
          "TROUSERS\n  Take up hem ........ {hem}\n  Take in waist ...... {waist}\nCOATS\n  Replace zip ........ "
          "{zip}\nDRY CLEANING\n  Suit (2-piece) ..... {suit}\n  Wedding dress ...... from {dress}\n\nExpress (same "
          "day) +{express}, hand in before {cutoff}.\nItems not collected after 90 days will be given to charity.",
          {"shop": "word", "month": "month", "hem": ("£9", "£10", "£12"), "waist": ("£14", "£16", "£18"),
           "zip": ("£28", "£30", "£35"), "suit": ("£15.50", "£17.50"), "dress": ("£85", "£95", "£120"),
           "express": ("50%", "£5", "£8"), "cutoff": ("9.30am", "10am", "11am")},
          (("hem", "How much to get a pair of trousers shortened?", "cost to take up jeans?"),
           ("zip", "The zip on my coat's gone, what does a new one cost?", "price for a replacement zip"),
           ("suit", "What do you charge to dry clean a two-piece suit?", "how much is a suit clean"),
           ("cutoff", "What time do I need to drop things off for same-day?", "latest I can hand it in for today"),
           ("express", "How much extra is the express service?", "what's the surcharge for same day"),
           ("month", "Since when have these prices applied?", "When did this price list start?")),
          ("Do you repair leather jackets?", "What time do you close on Saturdays?", "Is there parking outside?")),
    Scene("terms_of_sale.md", "## Terms of sale — {shop} Pottery\n\n**1. Delivery.** UK orders go out within "
          "{dispatch} by tracked courier. Delivery is {delivery}, free on orders over {threshold}.\n**2. Returns.** "
          "You may return unused items within {return_window} of delivery. Return postage is yours to pay unless "
          "the item arrived damaged, in which case send a photo to {email} within 48 hours.\n**3. Seconds.** Pieces "
          'marked "second" have small glaze flaws and can\'t be returned.\n**4. Commissions.** Custom pieces need a '
          "{deposit} non-refundable deposit.",
          {"shop": "word", "dispatch": ("2 working days", "5 working days"), "delivery": ("£3.95", "£4.50", "£5.95"),
           "threshold": ("£40", "£60", "£75"), "return_window": ("14 days", "28 days", "30 days"), "email": "email",
           "deposit": ("25%", "30%", "50%")},
          (("return_window", "How long have I got to send something back?", "if I change my mind what's the deadline"),
           ("threshold", "How much do I need to spend for free postage?", "minimum order for free delivery?"),
           ("email", "A mug arrived smashed, where do I send the photo?", "who do I email about a damaged parcel"),
           ("deposit", "If I commission a piece, how much is paid up front?", "what deposit do custom orders need"),
           ("delivery", "What's the delivery charge on a small order?", "how much is postage")),
          ("Do they ship to Europe?", "How long does a commission take to make?", "Which courier do they use?")),
    Scene("about_us_bike_shop.html", "About us\n\n{shop} Cycles began in {founder.first}'s garage in {year}, when "
          "she couldn't find anyone in {town} who'd fix an old three-speed for less than the bike was worth. Four "
          "years later she took over the old bakery on {street}, and she still builds most of the wheels herself.\n"
          "\nThere are {staff} of us now:\n- {founder}: owner, wheels, tea\n- {mechanic} (Head Mechanic): ask about "
          "bike fits\n- {hire}: hire fleet and the Saturday maintenance classes ({class_fee}, cake included)",
          {"shop": "word", "founder": "person", "year": ("1994", "2003", "2009", "2015"), "town": "town",
           "street": "street", "staff": ("four", "five", "six"), "mechanic": "person", "hire": "person",
           "class_fee": ("£15", "£20", "£25")},
          (("year", "When did the bike shop start?", "how long has {shop} Cycles been going, what year did it open?"),
           ("street", "What street is the shop on now?", "Where did she move the business to?"),
           ("mechanic", "Who should I talk to about getting a bike fitted?", "who's the head mechanic"),
           ("class_fee", "How much are the Saturday maintenance classes?", "what does a repair class cost"),
           ("hire", "Who looks after bike hire?", "If I want to rent a bike, who do I ask?"),
           ("staff", "How many people work at {shop} Cycles?", "how big is the team")),
          ("What are the shop's opening hours?", "Do they sell electric bikes?", "How much does a wheel build cost?")),
    Scene("deli_christmas_hours.txt", "{shop} DELI — OPENING HOURS\n\nMon–Fri   8am – 6pm\nSaturday  9am – "
          "{sat_close}\nSunday    closed\n\nCHRISTMAS\n24 Dec    open till {eve_close}\n25–26 Dec closed\n1 Jan     "
          "closed, back {reopen}\n\nUPDATE (pinned by {owner.first}): sorry, the first version of this said we'd "
          "reopen {old_reopen}. It's {reopen}, no deliveries before then. Hampers must be collected by {collect_by}.",
          {"shop": "word", "sat_close": ("4pm", "5pm", "5.30pm"), "eve_close": ("1pm", "2pm", "12.30pm"),
           "reopen": ("Friday 3rd", "Saturday 4th", "Monday 6th"), "old_reopen": ("Thursday 2nd", "on the 2nd"),
           "owner": "person", "collect_by": ("noon on the 23rd", "11am on the 24th", "close on the 22nd")},
          (("reopen", "When does the deli open again after New Year?", "what day are they back in January"),
           ("eve_close", "What time do they shut on Christmas Eve?", "how late are they open on the 24th"),
           ("sat_close", "How late are you open on a normal Saturday?", "saturday closing time?"),
           ("collect_by", "When do I have to pick my hamper up by?", "What's the deadline for collecting hampers?"),
           ("old_reopen", "What day did the first version wrongly give for reopening?", "what was the mistake"),
           ("owner.first", "Who posted the update?", "who pinned the correction")),
          ("How much is a Christmas hamper?", "What goes in a hamper?", "Can I order a hamper online?")),
    Scene("quote_roof_repair.txt", "QUOTATION  No. {quote_no}\n{roofer.last} Roofing & Guttering — {phone}\n"
          "For: {client}, {address}\n\nApprox 12 slates, rear slope ...... {slates}\nRe-bed ridge tiles (3 m) "
          "............ {ridge}\nClear & reseal gutters .............. {gutters}\nScaffold tower ({tower_days}) "
          "....... {tower}\n\nNo VAT, not registered. Quote valid {valid}. Half on the day we start, rest when your "
          "happy. Any rotten battens will be priced seperately. — {roofer.first}",
          {"quote_no": "number", "roofer": "person", "phone": "phone", "client": "person", "address": "street",
           "slates": ("£240", "£285", "£320"), "ridge": ("£180", "£195", "£210"), "gutters": ("£90", "£110", "£120"),
           "tower": ("£150", "£175"), "tower_days": ("3 days", "4 days", "5 days"), "valid": ("30 days", "3 months")},
          (("ridge", "How much to redo the ridge tiles?", "What's the charge for re-bedding the ridge?"),
           ("gutters", "What will sorting out the gutters cost?", "price to clean and seal the guttering"),
           ("tower_days", "How long is the scaffold tower hired for?", "how many days of scaffolding did they price"),
           ("valid", "How long does this price stand?", "if I wait a bit, when does the quote run out"),
           ("phone", "What number do I ring to accept the quote?", "how do I get hold of the roofer")),
          ("When can they start the job?", "Do they guarantee the work?", "Are they insured?")),
    Scene("electrician_followup.eml", "From: {sparky} <{email}>\nTo: {client.first}\nSubject: Re: rewire quote\n"
          "\nHi {client.first},\n\nJust following up on last week's quote for the kitchen, no pressure. I've got a "
          "gap starting {start}, should take {duration} including making good.\n\nSorry, one mistake on the quote: "
          "the consumer unit line says {old_price}, it should be {new_price}.\n\nIf you're going ahead I'll need "
          "the {deposit} deposit to order materials.\n\nCheers,\n{sparky.first}",
          {"sparky": "person", "email": "email", "client": "person", "start": ("Monday the 14th", "Tuesday week"),
           "duration": ("three days", "four days", "five days"), "old_price": ("£420", "£465"),
           "new_price": ("£510", "£545", "£580"), "deposit": ("£250", "£300", "£400")},
          (("new_price", "How much is the consumer unit now?", "what's the corrected price for the fuse box"),
           ("start", "When could the electrician start?", "when's the first free slot for the rewire"),
           ("duration", "How long will the job take?", "how many days will they be working on it"),
           ("deposit", "How much do I pay before materials get ordered?", "what deposit is needed to go ahead"),
           ("sparky", "Who's the electrician?", "Who sent this follow-up?")),
          ("What's the total for the whole rewire?", "Does the price include VAT?", "What's the sort code?")),
    Scene("flat_to_let.md", "## Two-bedroom flat, {street}, {town} — {rent} pcm\n\nBright {floor}-floor flat, ten "
          "minutes' walk from the station. Unfurnished.\n\n- Both bedrooms are doubles\n- Gas central heating, EPC "
          "band {epc}\n- Council tax band {tax_band}\n- Deposit: {deposit}\n- Available from {available}\n- Pets "
          "considered, no smokers\n\nViewings through {agent} at {agency} Lettings, {phone}. Weekdays only.",
          {"street": "street", "town": "town", "rent": ("£875", "£950", "£1,025", "£1,150"),
           "floor": ("first", "second", "third", "fourth"), "epc": ("B", "C"), "tax_band": ("A", "D", "E"),
           "deposit": ("£1,000", "£1,100", "£1,250"), "available": "day_month", "agent": "person", "agency": "word",
           "phone": "phone"},
          (("rent", "How much is the rent a month?", "what's the monthly rent on the {street} flat"),
           ("deposit", "How much deposit do they want?", "what do I need to put down as a deposit"),
           ("agent", "Who do I contact to see the flat?", "who's handling viewings"),
           ("available", "When could I move in?", "From what date is it free?"),
           ("floor", "Which floor is the flat on?", "how many floors up is it")),
          ("Is there parking?", "Does it have a garden?", "Is broadband included in the rent?")),
    Scene("used_car_advert.txt", "FOR SALE: {year} {make} estate, {colour}, {mileage} miles\n\nGenuine reason for "
          "sale, we've had twins and need a seven-seater! Full service history, last done at {service_miles}. MOT "
          "till {mot}, {owners} owners from new. Small dent on the rear bumper (see pics), otherwise drives "
          "lovely.\n\n{price} ono. Car is in {town}. Text {seller.first}, I work nights so may be slow to reply.",
          {"year": ("2012", "2014", "2016"), "make": "word", "colour": ("silver", "dark blue", "white"),
           "mileage": ("68,400", "82,150", "97,000"), "service_miles": ("66,900", "80,300", "95,500"),
           "mot": ("March", "next June", "October"), "owners": ("two", "three", "four"),
           "price": ("£3,250", "£4,495", "£5,800"), "town": "town", "seller": "person"},
          (("mileage", "How many miles has it done?", "what's the mileage on the {make}"),
           ("mot", "How long has it got on the MOT?", "when does the MOT run out"),
           ("price", "What are they asking for it?", "how much do they want for the car"),
           ("owners", "How many people have owned it?", "number of previous keepers?"),
           ("seller.first", "Who do I text about the car?", "who's selling it")),
          ("Is it petrol or diesel?", "Has it got a tow bar?", "Will they take a part exchange?")),
    Scene("savings_account_letter.txt", "{bank} Building Society\n\nDear {customer},\n\nChanges to your {account} "
          "Saver account\n\nFrom {effective}:\n• The interest rate will change from {old_rate} to {new_rate} AER "
          "(variable).\n• You can make {withdrawals} withdrawals a year without losing interest, up from three.\n"
          "\nYou don't need to do anything. If you'd rather close the account, you can do so free of charge within "
          "{notice} of the change.\n\nYours sincerely,\n{manager}\nHead of Savings",
          {"bank": "word", "customer": "person", "account": "word", "effective": "date",
           "old_rate": ("3.10%", "2.85%", "3.40%"), "new_rate": ("2.60%", "2.35%", "2.15%"),
           "withdrawals": ("four", "five", "six"), "notice": ("30 days", "60 days"), "manager": "person"},
          (("new_rate", "What interest will my savings earn after the change?", "what's the new rate"),
           ("old_rate", "What rate am I getting at the moment?", "current interest rate on the {account} Saver?"),
           ("effective", "When do the changes kick in?", "from what date does this apply"),
           ("withdrawals", "How many times a year can I take money out without losing interest?", "withdrawal limit?"),
           ("notice", "How long after the change can I close the account for free?", "window to leave free?"),
           ("manager", "Who signed the letter?", "who's the head of savings")),
          ("How much is in my account?", "Can I still get paper statements?", "Is there a branch near me?")),
    Scene("electricity_tariff_letter.txt", "Hello {customer.first},\n\nYour fixed deal, {old_tariff} Fix 12, ends "
          "on {end_date}. Unless you choose something else, we'll move you to our standard variable tariff, "
          "{new_tariff}.\n\n| | Now | From {end_date} |\n|---|---|---|\n| Unit rate | {old_unit} per kWh | "
          "{new_unit} per kWh |\n| Standing charge | {old_standing} per day | {new_standing} per day |\n\n"
          "Based on last year's usage that's around {yearly} a year. To pick a different tariff, call {helpline}.",
          {"customer": "person", "old_tariff": "word", "end_date": "day_month",
           "new_tariff": ("Flex Standard", "Simple Variable", "Everyday Flex"), "old_unit": ("24.1p", "22.8p"),
           "new_unit": ("27.3p", "28.9p"), "old_standing": ("48.2p", "51.0p"), "new_standing": ("53.7p", "60.1p"),
           "yearly": ("£1,140", "£1,290", "£1,405"), "helpline": ("0300 555 0142", "0800 555 0199")},
          (("new_tariff", "What tariff will I be moved onto?", "what's the plan called that I go on after my fix"),
           ("new_unit", "How much per unit will I pay once the fix ends?", "what's the new price per kWh"),
           ("old_standing", "What's my standing charge at the moment?", "current daily standing charge?"),
           ("yearly", "Roughly what will the new tariff cost me a year?", "estimated yearly cost after the change"),
           ("helpline", "What number do I call to switch to something else?", "phone number to change tariff")),
          ("Is there a cheaper fixed deal?", "What's the gas unit rate?", "Is there a discount for direct debit?")),
    Scene("magazine_renewal.eml", "Subject: Your {magazine} Gardener subscription renews on {renew_date}\n\nHi "
          "{reader.first},\n\nOn {renew_date} we'll take {price} from the card ending {card}. That covers {issues} "
          "issues posted to your door, plus the digital archive. Your introductory discount has now ended, which is "
          "why it's more than last year ({old_price}).\n\nDon't want to renew? Turn off auto-renew in your account, "
          "or reply at least {notice} before the renewal date.\n\nHappy growing,\n{agent.first}, Subscriptions",
          {"magazine": "word", "renew_date": "day_month", "reader": "person", "price": ("£42", "£54", "£59.99"),
           "card": "code", "issues": ("twelve", "thirteen", "six"), "old_price": ("£29", "£36", "£39.99"),
           "notice": ("48 hours", "7 days", "3 working days"), "agent": "person"},
          (("price", "How much will they charge me this time?", "what's the renewal price"),
           ("old_price", "What did I pay last year?", "how much was it before the discount ended"),
           ("card", "Which card is the money coming off?", "what are the last four digits of the card on file"),
           ("notice", "If I don't want it any more, how far ahead do I have to say?", "notice needed to cancel?"),
           ("issues", "How many issues do I get for that?", "how many magazines a year")),
          ("Can I switch to digital only?", "Can I pay monthly instead?", "Is postage abroad extra?")),
    Scene("marketplace_wardrobe_chat.txt", "[14:02] {buyer.first}: Hi, is the wardrobe still available?\n"
          "[14:10] {seller.first}: Yes still here\n[14:11] {buyer.first}: Would you take {offer}?\n[14:25] "
          "{seller.first}: Lowest I'd go is {counter}, it's solid wood and I paid {paid} new\n[14:26] "
          "{buyer.first}: ok {counter} is fine. Does it come apart?\n[14:31] {seller.first}: Doors lift off. It's "
          "{height} tall so you'll need a van\n[14:33] {buyer.first}: Can I collect {collect_day}?\n[14:40] "
          "{seller.first}: Yes, any time after {after}. It's {street}, top bell",
          {"buyer": "person", "seller": "person", "offer": ("£60", "£70", "£80"), "counter": ("£95", "£100", "£110"),
           "paid": ("£450", "£520", "£600"), "height": ("1.9 metres", "2 metres", "six foot"), "collect_day": "weekday",
           "after": ("5.30", "6pm", "7pm"), "street": "street"},
          (("counter", "What price did they agree on?", "How much is the buyer paying in the end?"),
           ("offer", "What did {buyer.first} offer at first?", "what was the opening offer"),
           ("height", "How tall is the wardrobe?", "how high is it, will it fit in a car"),
           ("collect_day", "What day is it being picked up?", "when's the collection"),
           ("after", "What's the earliest time the buyer can come round?", "from what time can they collect")),
          ("How wide is the wardrobe?", "Is the buyer paying cash?", "How old is the wardrobe?")),
    Scene("market_stall_board.txt", "{stallholder.first}'s FRUIT & VEG\n\nSTRAWBS ......... {strawb} punnet\n"
          "NEW POTS ........ {pots} per kg\nCAULI ........... {cauli} each\nBANANAS ......... 5 for {bananas}\n"
          "EGGS ({farm} Farm, free range) ... {eggs} half doz\n\nALL BOWLS {bowl}\n\nCASH ONLY — card machine "
          "broke!!\nHere Tue, Fri & Sat. Wholesale? ask for {stallholder.first}",
          {"stallholder": "person", "strawb": ("£1.50", "£1.80"), "pots": ("85p", "95p"), "cauli": ("£1.10", "£1.25"),
           "bananas": ("£1.30", "£1.40"), "farm": "word", "eggs": ("£1.60", "£1.75"), "bowl": ("£2", "£3")},
          (("cauli", "How much is a cauliflower?", "what's a cauli going for"),
           ("eggs", "How much for six eggs?", "price of half a dozen eggs"),
           ("bowl", "How much is a bowl?", "what are the bowls priced at"),
           ("farm", "Where do the eggs come from?", "which farm supplies the eggs"),
           ("stallholder.first", "Whose stall is this?", "who do I ask about buying in bulk"),
           ("strawb", "How much for a punnet of strawberries?", "strawberry price?")),
          ("Are the strawberries organic?", "What time does the stall pack up?", "How much are the onions?")),
    Scene("invoice_design_work.md", "INVOICE {invoice_no}\n\n{freelancer}, freelance graphic design · {email}\n"
          "Bill to: {business} Coffee Roasters\nPayment due: within {terms}\n\n| Description | Amount |\n"
          "|---|---|\n| Logo refresh and business card layout (fixed fee agreed by email, {agreed}) | {fee} |\n"
          "| **Total due** | **{fee}** |\n\nNot VAT registered. Please pay by transfer, sort code {sort}, quoting "
          "{invoice_no}.\n\nThanks! {freelancer.first}",
          {"invoice_no": ("INV-0142", "INV-0087", "INV-0219"), "freelancer": "person", "email": "email",
           "business": "word", "terms": ("14 days", "30 days"), "agreed": "day_month",
           "fee": ("£480", "£650", "£850", "£1,200"), "sort": ("20-45-11", "40-12-87", "60-83-01")},
          (("fee", "How much do we owe the designer?", "what's the total on this invoice"),
           ("terms", "How long have we got to pay?", "when's payment due"),
           ("invoice_no", "What reference should I put on the bank transfer?", "what's the invoice number"),
           ("sort", "What's the sort code for paying?", "bank sort code?"),
           ("freelancer", "Who's the invoice from?", "Who did the logo work?")),
          ("Is there a late payment charge?", "How many hours did the work take?",
           "What's the designer's phone number?")),
    Scene("order_confirmation.eml", "Subject: Order #{order_no} confirmed 🎉\n\nThanks, {customer.first}! Here's "
          "what's coming:\n\n  1 × {item1} ({colour})   {price1}\n  2 × {item2}   {price2}\n  Delivery ({method})   "
          "{delivery}\n\nEstimated delivery: {eta}\nDelivering to: {street}\n\nChanged your mind? Cancel from your "
          "account before we hand it to the courier, usually within {cutoff} of ordering.",
          {"order_no": "code", "customer": "person", "item1": ("king duvet cover", "wool throw", "linen tablecloth"),
           "colour": ("sage", "oatmeal", "charcoal"), "price1": ("£48", "£65", "£72"),
           "item2": ("oxford pillowcase", "hand towel", "tea towel"), "price2": ("£18", "£22", "£14"),
           "method": ("tracked 48", "next day"), "delivery": ("£3.99", "£5.95", "£6.50"), "eta": "date",
           "street": "street", "cutoff": ("2 hours", "an hour", "4 hours")},
          (("eta", "When should my parcel turn up?", "what's the expected delivery date"),
           ("price1", "How much was the {item1}?", "what did the {item1} cost me"),
           ("delivery", "What did I pay for postage?", "how much was delivery"),
           ("order_no", "What's my order number?", "order reference?"),
           ("cutoff", "If I change my mind, how quickly do I need to cancel?", "how long have I got to cancel")),
          ("Which courier is delivering it?", "Can I return it if I don't like it?", "Was a discount applied?")),
    Scene("sofa_delivery_texts.txt", "Mon 09:12  {shop} Furniture: Your {item} is due for delivery on {old_day}, "
          "between {window}.\nTue 16:40  {shop} Furniture: Sorry, your delivery has moved to {new_day}. Our team "
          "will call 30 mins before.\nTue 16:52  {shop} Furniture: Correction: the new time window is {new_window}, "
          "not {window}.\nWed 08:05  Me: Can you leave it with a neighbour if I'm out?\nWed 08:31  {shop} "
          "Furniture: Hi, it's {agent.first}. We can't leave large items, but we can move it again - call {phone} "
          "before {cutoff} the day before.",
          {"shop": "word", "item": ("corner sofa", "oak dining table", "king size bed frame"), "old_day": "weekday",
           "window": ("8am–12pm", "7am–11am"), "new_day": "weekday", "new_window": ("12pm–5pm", "1pm–6pm"),
           "agent": "person", "phone": ("0330 555 0178", "0161 555 0123"), "cutoff": ("6pm", "5pm", "4pm")},
          (("new_day", "What day is my {item} coming now?", "when's the delivery been moved to"),
           ("new_window", "What time slot should I expect them in?", "between what times will they turn up now"),
           ("old_day", "When was it supposed to come originally?", "what was the first delivery day"),
           ("cutoff", "What's the latest I can call to rearrange?", "by what time the day before do I need to ring"),
           ("phone", "What number do I call to move it again?", "number to rearrange delivery")),
          ("Will they take my old furniture away?", "Is there a charge for rearranging?",
           "Will they carry it upstairs?")),
    Scene("drill_customer_questions.md", "### Customer questions — {product} 18V cordless drill\n\n**Q: Does it "
          "come with a battery?** — {asker}\nA: Yes, one {battery} battery and a charger. A second battery is "
          "{spare} extra. — {shop} team\n\n**Q: How long does it take to charge?**\nA: About {charge} from flat. "
          "The light goes green when it's done.\n\n**Q: will it go through brick**\nA: Yes for occasional jobs, it "
          "has a hammer setting.\n\n**Q: What's the chuck size?**\nA: {chuck}, keyless.",
          {"product": "word", "asker": "first_name", "battery": ("2.0Ah", "4.0Ah"), "spare": ("£29", "£35", "£39"),
           "shop": "word", "charge": ("45 minutes", "an hour", "90 minutes"), "chuck": ("10 mm", "13 mm")},
          (("charge", "If the battery's dead, how long until it's full again?", "how long does it take to charge"),
           ("spare", "How much is an extra battery?", "price of a spare battery for the {product}"),
           ("chuck", "How big is the chuck on the {product}?", "what's the chuck size"),
           ("battery", "What battery comes in the box?", "what capacity is the battery it comes with"),
           ("asker", "Who asked whether a battery is included?", "who wanted to know about the battery")),
          ("How heavy is the drill?", "How long is the warranty?", "Does it come with a carry case?")),
    Scene("room_to_rent.txt", "Room available!! 🏡\n\nHiya, I'm {host.first}, I own the house and live here with my "
          "partner and a very lazy {pet_kind} called {pet}. Looking for a quiet, tidy lodger for the big back "
          "bedroom.\n\n{rent} a week, bills incl wifi. {deposit} deposit. Min stay {min_stay}. Own bathroom, use of "
          "the garden. No smoking inside.\n\nWe're {walk} walk from the bus station in {town}. Available from "
          "{available}. Message me, I'll probably ask you round for a cuppa first!",
          {"host": "person", "pet_kind": ("cat", "greyhound", "tortoise"), "pet": "word",
           "rent": ("£140", "£155", "£165"), "deposit": ("£300", "£400", "£500"), "min_stay": ("3 months", "6 months"),
           "walk": ("5 mins", "10 mins", "15 mins"), "town": "town", "available": "day_month"},
          (("rent", "How much is the room per week?", "how much a week"),
           ("pet", "What's the {pet_kind} called?", "what's the pet's name"),
           ("min_stay", "What's the shortest I could stay?", "minimum tenancy?"),
           ("deposit", "How much deposit would I need?", "what's the deposit"),
           ("available", "When can I move in?", "when's the room free from"),
           ("host.first", "Who owns the house?", "who do I message about the room")),
          ("Is there parking?", "Can I have friends to stay overnight?", "How big is the room?")),
    Scene("viewing_confirmation.eml", "From: {agent} <{email}>\nSubject: Viewing confirmed — {street}\n\nDear "
          "{buyer},\n\nI can confirm your viewing:\n\nDate: {date}\nTime: {time}\nAsking price: {price}\n"
          "Tenure: {tenure}\n\nPlease park on the road, not the shared drive. {colleague} will show you round as "
          "I'm on leave that day; if you're running late, her mobile is {phone}.\n\nKind regards,\n"
          "{agent.first}\nSales Negotiator, {agency} & Co",
          {"agent": "person", "email": "email", "street": "street", "buyer": "person", "date": "date", "time": "time",
           "price": ("£235,000", "£289,950", "£315,000"), "tenure": ("freehold", "leasehold"), "colleague": "person",
           "phone": "phone", "agency": "word"},
          (("colleague", "Who'll actually be showing me round?", "who's doing the viewing, since the agent is away"),
           ("time", "What time's the viewing?", "what time should I get there"),
           ("price", "How much are they asking for the property?", "asking price?"),
           ("tenure", "Is it freehold or leasehold?", "what's the tenure"),
           ("phone", "What number should I call if I'm late?", "how do I reach whoever's showing me round"),
           ("agent", "Who sent this email?", "who's the negotiator")),
          ("How many bedrooms does it have?", "Why are the owners selling?", "Is there an onward chain?")),
    Scene("garage_service_prices.md", "# {garage} Motors — servicing prices\n\n| Service | Every | Small car | "
          "Family car | 4x4 / van |\n|---|---|---|---|---|\n| Interim | 6,000 miles | {i_small} | {i_family} | "
          "{i_van} |\n| Full | 12,000 miles | {f_small} | {f_family} | {f_van} |\n| Major | 24,000 miles | "
          "{m_small} | {m_family} | {m_van} |\n\nMOT while you wait: {mot}. Courtesy car available, ask "
          "{manager.first} - there's only one!",
          {"garage": "word", "i_small": ("£99", "£109"), "i_family": ("£119", "£129"), "i_van": ("£139", "£149"),
           "f_small": ("£169", "£179"), "f_family": ("£189", "£199"), "f_van": ("£219", "£229"),
           "m_small": ("£259", "£269"), "m_family": ("£289", "£299"), "m_van": ("£329", "£349"),
           "mot": ("£45", "£54.85"), "manager": "person"},
          (("f_family", "How much is a full service on a family car?", "full service on a normal hatchback?"),
           ("i_van", "What's an interim service for a van?", "price of a 6,000 mile service on a 4x4"),
           ("m_small", "How much for a major service on a small car?", "24k service for my little car, how much"),
           ("mot", "How much is an MOT?", "what do they charge for an MOT"),
           ("manager.first", "Who do I ask about borrowing a courtesy car?", "who sorts out the loan car")),
          ("Do they fit tyres?", "How long does a full service take?", "Are they open on Saturdays?")),
    Scene("coffee_wholesale_prices.txt", "{roastery} Roastery — WHOLESALE PRICES (cafés & shops)\nPer kg, ex VAT.\n"
          "\nBlend         1–4 kg   5–19 kg  20 kg+\n{house} blend  {h1}   {h2}   {h3}\nDecaf        {d1}   {d2}   "
          "{d3}\n\nThis month's single origin: {origin}, {so_price}/kg.\nMinimum order {min_order}. Free delivery "
          "within {radius}.\nAccount manager: {rep}",
          {"roastery": "word", "house": "word", "h1": ("£19.50", "£19.95"), "h2": ("£17.80", "£18.25"),
           "h3": ("£16.40", "£16.90"), "d1": ("£23", "£24.50"), "d2": ("£21.60", "£22"), "d3": ("£20.40", "£20.75"),
           "origin": ("Colombia Huila", "Ethiopia Guji", "Peru Cajamarca"), "so_price": ("£26", "£28.50", "£31"),
           "min_order": ("2 kg", "3 kg"), "radius": ("10 miles", "15 miles", "20 miles"), "rep": "person"},
          (("h2", "What's the {house} blend per kilo if I order 10 kg?", "price per kg of {house} at 5 to 19 kilos"),
           ("d3", "How much is decaf per kilo on a big order, 20 kilos or more?", "bulk decaf price?"),
           ("origin", "What's the single origin this month?", "which guest coffee are they doing right now"),
           ("min_order", "What's the smallest order they'll take?", "minimum order size?"),
           ("radius", "How far away can we be and still get free delivery?", "free delivery area?"),
           ("rep", "Who's our account manager?", "who do I deal with about our account")),
          ("Do they supply milk as well?", "Can we get a grinder on loan?", "What does the decaf taste like?")),
    Scene("damaged_lamp_reply.eml", "Subject: RE: Damaged lamp — case {case}\n\nDear {customer.first},\n\nI'm so "
          "sorry your {item} arrived with a cracked base. I've arranged a full refund of {refund} to your original "
          "payment method; please allow {days} for it to show. You don't need to send it back.\n\nAs a thank-you "
          "for your patience, here's {discount} off your next order with the code {voucher}, valid until {expiry}.\n"
          "\nBest wishes,\n{agent.first}\nCustomer Care, {shop} Home",
          {"case": "code", "customer": "person", "item": ("table lamp", "floor lamp", "ceramic lamp"),
           "refund": ("£34.99", "£48", "£62.50"), "days": ("3–5 working days", "up to 10 days"),
           "discount": ("10%", "15%", "20%"), "voucher": ("CARE4U", "OOPSDAISY", "MAKEGOOD"), "expiry": "day_month",
           "agent": "person", "shop": "word"},
          (("refund", "How much am I getting back?", "what's the refund amount"),
           ("days", "How long until the refund shows up?", "when will I see the money"),
           ("voucher", "What code do I type in at checkout?", "what's the discount code"),
           ("expiry", "When does the code run out?", "until when can I use the voucher"),
           ("agent.first", "Who dealt with my complaint?", "who replied from customer care")),
          ("Can I get a replacement instead?", "Does the code work on sale items?", "Can the code be used in store?")),
    Scene("phone_plan_correction.eml", "Subject: Correction: your {network} plan from {effective}\n\nHello "
          "{customer.first},\n\nYesterday's email about your plan gave the wrong monthly price: we said "
          "{wrong_price}, but the correct price is {new_price} a month. Sorry!\n\nThe rest was right:\n• Data goes "
          "up from {old_data} to {new_data}\n• Roaming in Europe is {roaming} a day\n\nIf you're not happy you can "
          "leave without an exit fee, as long as you tell us within {window}.\n\nThe {network} team",
          {"network": "word", "effective": "day_month", "customer": "person", "wrong_price": ("£12", "£14", "£15"),
           "new_price": ("£13.50", "£16", "£18"), "old_data": ("10GB", "20GB", "30GB"),
           "new_data": ("25GB", "40GB", "50GB"), "roaming": ("£1.99", "£2.49", "£3"), "window": ("30 days", "14 days")},
          (("new_price", "How much will I pay each month from now on?", "what's the actual new monthly price"),
           ("wrong_price", "What price did the first email get wrong?", "what figure was the mistake"),
           ("new_data", "How much data will I get?", "what's my new data allowance"),
           ("roaming", "What does it cost to use my phone in Europe?", "daily roaming charge?"),
           ("window", "How long have I got to leave without an exit fee?", "deadline to cancel for free")),
          ("Will I keep my phone number?", "Is there a cheaper plan?", "Does the price include insurance?")),
    Scene("cake_order_info.txt", "CAKE ORDERS — {baker.first}'s Bakes\n\nCelebration cake (serves 12) .... "
          "{celebration}\nTwo-tier (serves 30) ............ {two_tier}\nCupcakes, box of six ............ "
          "{cupcakes}\nVegan / gluten-free ............. +{free_from}\n\nPlease give me at least {notice} weeks' "
          "notice. A {deposit} deposit holds your date, rest on collection. Collection only, from my kitchen in "
          "{town} - sorry, cakes hate bumps!",
          {"baker": "person", "celebration": ("£45", "£55"), "two_tier": ("£120", "£140", "£160"),
           "cupcakes": ("£15", "£18"), "free_from": ("£5", "£8"), "notice": ("two", "three", "four"),
           "deposit": ("£20", "£25"), "town": "town"},
          (("two_tier", "What would a cake for about 30 people cost?", "how much is a two-tier cake"),
           ("cupcakes", "Price for six cupcakes?", "how much is a box of cupcakes"),
           ("notice", "How many weeks ahead do I need to order?", "how much notice do you need for a cake"),
           ("free_from", "How much extra for a vegan cake?", "is gluten-free dearer, by how much"),
           ("town", "Where do I pick the cake up from?", "where's the kitchen"),
           ("deposit", "How much do I pay to book a date?", "what's the deposit")),
          ("Do you do sugar-free cakes?", "What flavours are there?", "Can you write a name on top?")),
)
