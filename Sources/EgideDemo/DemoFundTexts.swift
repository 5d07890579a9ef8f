import App
import EgideCore
import Foundation

/// The words of the demo's emergency fund, in French and English: budget lines, justifications,
/// questions, decisions and reports of fictional grant requests. Every justification ends by saying
/// it is fictional, like the demo's alerts and case summaries.
///
/// `{name}` is filled with the beneficiary's name (see `DemoAlertTexts.fill`).
enum DemoFundTexts {
    typealias Pair = DemoAlertTexts.Pair

    static let fictional: Pair = (" (Demande fictive — données de démonstration.)", " (Fictional request — demonstration data.)")

    // MARK: What a grant pays for

    /// Budget lines of each category, with their share of the amount (the last line takes the rest).
    static let budgetLines: [SupportCategory: [(Pair, Double)]] = [
        .physicalSecurity: [(("Porte blindée et serrures", "Reinforced door and locks"), 0.45),
                            (("Éclairage extérieur et caméra", "Outdoor lighting and a camera"), 0.35),
                            (("Pose par un artisan de confiance", "Fitting by a trusted craftsman"), 0.20)],
        .digitalSecurity: [(("Ordinateur portable neuf, disque chiffré", "New laptop with an encrypted disk"), 0.55),
                           (("Téléphone sécurisé et carte SIM", "Secure phone and SIM card"), 0.25),
                           (("Accompagnement technique (trois séances)", "Technical coaching (three sessions)"), 0.20)],
        .communications: [(("Téléphone satellite et abonnement (trois mois)", "Satellite phone and subscription (three months)"), 0.65),
                          (("Crédit de communication et données", "Call credit and data"), 0.35)],
        .securityCapacityBuilding: [(("Formation à la sécurité (deux jours, douze personnes)", "Security training (two days, twelve people)"), 0.50),
                                    (("Transport et repas des participant·es", "Participants' travel and meals"), 0.35),
                                    (("Matériel pédagogique", "Training materials"), 0.15)],
        .secureTransport: [(("Véhicule avec chauffeur de confiance", "Vehicle with a trusted driver"), 0.70),
                           (("Carburant et péages", "Fuel and tolls"), 0.30)],
        .legal: [(("Honoraires d'avocat·e", "Lawyer's fees"), 0.75),
                 (("Frais de procédure et déplacements", "Court costs and travel"), 0.25)],
        .medicalPsychosocial: [(("Soins médicaux et examens", "Medical care and tests"), 0.50),
                               (("Séances de soutien psychologique", "Psychological support sessions"), 0.35),
                               (("Médicaments", "Medicines"), 0.15)],
        .humanitarianFamily: [(("Soutien alimentaire de la famille (trois mois)", "Food support for the family (three months)"), 0.55),
                              (("Frais de scolarité des enfants", "Children's school fees"), 0.30),
                              (("Loyer", "Rent"), 0.15)],
        .urgentRelocation: [(("Transport vers le lieu d'accueil", "Travel to the host location"), 0.25),
                            (("Hébergement (huit semaines)", "Lodging (eight weeks)"), 0.45),
                            (("Frais de subsistance", "Living costs"), 0.25),
                            (("Communication", "Communication"), 0.05)],
        .urgentMonitoring: [(("Mission d'observation du procès (trois jours)", "Trial monitoring mission (three days)"), 0.60),
                            (("Rapport et plaidoyer", "Report and advocacy"), 0.40)],
        .other: [(("Remplacement des documents d'identité", "Replacing identity documents"), 0.60),
                 (("Frais administratifs", "Administrative fees"), 0.40)],
    ]

    /// Why the grant is needed, by category.
    static let justifications: [SupportCategory: [Pair]] = [
        .physicalSecurity: [
            ("Après l'intrusion au domicile de {name}, le plan de sécurité prévoit de renforcer la porte et l'éclairage ; deux devis sont joints.",
             "After the break-in at {name}'s home, the security plan calls for a reinforced door and lighting; two quotes are attached."),
            ("Les locaux de {name} ont été fracturés deux fois en un mois : sécuriser l'accès est la première mesure du plan.",
             "{name}'s office was broken into twice in a month: securing the entrance is the plan's first measure."),
        ],
        .digitalSecurity: [
            ("L'ordinateur de {name} a été saisi lors de la perquisition ; le remplacer par un appareil chiffré permet de reprendre le travail sans exposer les sources.",
             "{name}'s laptop was seized during the search; an encrypted replacement lets the work resume without exposing sources."),
            ("Le téléphone de {name} présente des signes de compromission : remplacement et accompagnement pour séparer usage militant et personnel.",
             "{name}'s phone shows signs of compromise: replacement and coaching to keep activist and personal use apart."),
        ],
        .communications: [
            ("Les coupures du réseau dans la zone isolent {name} ; un téléphone satellite garantit le contact quotidien prévu au plan.",
             "Network shutdowns in the area cut {name} off; a satellite phone keeps the daily check-in the plan requires."),
        ],
        .securityCapacityBuilding: [
            ("Formation de l'équipe de {name} après une série de menaces : analyse de risque, protocoles de déplacement, sécurité numérique.",
             "Training for {name}'s team after a series of threats: risk analysis, travel protocols, digital security."),
        ],
        .secureTransport: [
            ("{name} doit se rendre à l'audience dans une zone contrôlée par des groupes armés ; transport sûr aller-retour avec un chauffeur de confiance.",
             "{name} must attend the hearing in an area held by armed groups; safe return transport with a trusted driver."),
        ],
        .legal: [
            ("{name} est poursuivi·e pour diffamation après la publication de son enquête ; prise en charge de la défense jusqu'au jugement.",
             "{name} is being prosecuted for defamation after publishing the investigation; covering the defence until judgment."),
            ("Convocation de {name} par la police judiciaire : honoraires de l'avocat·e qui l'accompagne et frais de procédure.",
             "{name} has been summoned by the judicial police: fees for the lawyer who attends and court costs."),
        ],
        .medicalPsychosocial: [
            ("{name} a été agressé·e à la sortie d'une réunion ; soins, examens et suivi psychologique prescrits par le médecin.",
             "{name} was assaulted after a meeting; care, tests and psychological follow-up prescribed by the doctor."),
            ("Épuisement et troubles du sommeil après des mois de menaces : séances de soutien psychologique pour {name}.",
             "Exhaustion and sleep problems after months of threats: psychological support sessions for {name}."),
        ],
        .humanitarianFamily: [
            ("Pendant la détention de {name}, la famille a perdu son seul revenu ; soutien alimentaire et scolarité des enfants pour trois mois.",
             "While {name} is detained, the family has lost its only income; food support and school fees for three months."),
        ],
        .urgentRelocation: [
            ("L'adresse de {name} circule sur les réseaux avec des appels à la violence ; relocalisation temporaire hors de la ville, le temps que la situation se calme.",
             "{name}'s address is circulating online with calls to violence; temporary relocation out of town until things calm down."),
            ("Après l'enlèvement d'un collègue, {name} ne peut plus rester dans la province : transport et hébergement chez l'organisation d'accueil.",
             "After a colleague's abduction, {name} can no longer stay in the province: travel and lodging with the host organisation."),
        ],
        .urgentMonitoring: [
            ("Observation indépendante du procès de {name} et note de plaidoyer aux missions diplomatiques.",
             "Independent monitoring of {name}'s trial and an advocacy brief for the diplomatic missions."),
        ],
        .other: [
            ("Les documents de {name} ont été confisqués lors de l'arrestation ; leur remplacement est nécessaire pour tout déplacement.",
             "{name}'s documents were confiscated at the arrest; replacing them is needed before any travel."),
        ],
    ]

    /// The case file's measures a grant of each kind pays for (`DemoCaseTexts.measures`, by domain).
    static let measureDomains: [SupportCategory: MeasureDomain] = [
        .physicalSecurity: .physical, .secureTransport: .physical, .digitalSecurity: .digital, .communications: .digital,
        .legal: .legal, .urgentMonitoring: .legal, .medicalPsychosocial: .psychosocial, .humanitarianFamily: .psychosocial,
        .urgentRelocation: .relocation,
    ]

    /// Who hosts a relocated defender, by country of the grant.
    static let hosts: [String: [String]] = [
        "CM": ["Réseau des défenseurs du Cameroun — hébergement sûr de Douala", "Maison des défenseur·ses de Bafoussam"],
        "CF": ["Réseau des défenseurs du Cameroun — accueil de Garoua-Boulaï"],
        "TD": ["Réseau des défenseurs du Cameroun — accueil de Maroua"],
        "CD": ["Collectif des défenseurs du Sud-Kivu — maison de refuge de Bukavu", "Maison de la paix de Goma"],
        "BI": ["Collectif des défenseurs du Sud-Kivu — maison de refuge de Bukavu"],
        "TN": ["Vigilance Droits — maison d'accueil de Tunis", "Association d'accueil solidaire de Sfax"],
        "LY": ["Vigilance Droits — maison d'accueil de Tunis"],
        "GE": ["Defenders' Shelter — Tbilisi"],
    ]

    // MARK: Beneficiaries without a case

    /// Organisations at risk supported directly (none of them appears in the alerts or cases).
    static let organisations: [String: [String]] = [
        "CM": ["Radio communautaire de Bafut", "Association des femmes juristes de Bertoua"],
        "CF": ["Observatoire citoyen de Bossangoa"],
        "TD": ["Association des jeunes pour la paix d'Abéché"],
        "CD": ["Radio Tuungane Uvira", "Comité de vigilance de Kamituga"],
        "BI": ["Collectif des journalistes de Gitega"],
        "TN": ["Collectif Mémoire du Sud — Gabès", "Association Tounsiet pour l'égalité", "Observatoire des prisons de Kasserine"],
        "LY": ["Fezzan Human Rights Observatory"],
        "GE": ["Kutaisi Independent Media Lab"],
    ]

    /// Names for Libya, which the alerts and cases do not cover.
    static let libyanNames = DemoAlertTexts.Names(
        women: [("Hanan", nil), ("Najwa", nil), ("Reem", nil)], men: [("Ali", nil), ("Faraj", nil), ("Osama", nil)],
        surnames: [("Elmagherbi", nil), ("Zawi", nil), ("Ghariani", nil), ("Fitouri", nil)])

    // MARK: Along the way

    static let questions: [Pair] = [
        ("Merci de joindre deux devis et de préciser la durée de l'hébergement.", "Please attach two quotes and say how long the stay will last."),
        ("Le montant du loyer paraît élevé pour la ville : pouvez-vous le justifier ?", "The rent looks high for the city: can you explain it?"),
        ("La personne est-elle déjà soutenue par un autre bailleur pour ce besoin ?", "Is the person already supported by another donor for this need?"),
    ]
    static let answers: [Pair] = [
        ("Devis joints ; hébergement de huit semaines, renouvelable après évaluation.", "Quotes attached; eight weeks of lodging, renewable after a review."),
        ("Aucun autre soutien : vérifié avec le réseau local.", "No other support: checked with the local network."),
    ]
    static let rejections: [Pair] = [
        ("Hors critères du fonds : le besoin n'est pas lié à l'activité de défense des droits.", "Outside the fund's criteria: the need is not linked to human rights work."),
        ("Déjà couvert par un autre bailleur pour la même période.", "Already covered by another donor for the same period."),
        ("Informations insuffisantes malgré deux relances.", "Not enough information after two reminders."),
    ]
    static let aboveCeiling: Pair = ("Montant au-dessus du plafond du fonds : à scinder ou à orienter vers un autre bailleur.",
                                     "Amount above the fund's ceiling: to be split or referred to another donor.")
    static let withdrawals: [Pair] = [
        ("La situation s'est apaisée ; la personne ne souhaite plus de soutien.", "The situation has calmed down; the person no longer wants support."),
        ("Soutien obtenu auprès d'un autre fonds.", "Support obtained from another fund."),
    ]
    static let cancellations: [Pair] = [
        ("La personne a quitté le pays avant le versement.", "The person left the country before the payment."),
        ("Le prestataire a annulé ; le reste revient à l'allocation.", "The provider cancelled; the rest goes back to the allocation."),
    ]
    static let trancheNotes: [Pair] = [
        ("Versé au numéro convenu ; reçu joint.", "Paid to the agreed number; receipt attached."),
        ("Remis en main propre, reçu signé.", "Handed over in person, signed receipt."),
        ("Virement au prestataire.", "Transfer to the provider."),
    ]
    static let reports: [Pair] = [
        ("Rapport reçu : mesures mises en place, justificatifs complets.", "Report received: measures in place, receipts complete."),
        ("Rapport narratif et financier reçu ; reliquat justifié.", "Narrative and financial report received; balance accounted for."),
    ]
    /// The content of the demo's report and receipt files (encrypted like every file).
    static let reportFile = "Rapport narratif et financier — données de démonstration (fichier fictif).\n"
    static let receiptFile = "Reçu de paiement — données de démonstration (fichier fictif).\n"
}
